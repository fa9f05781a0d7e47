"""Users of the ledger that are not services: the data generator, the demo, explanations,
exports, bundles for inspectors, time travel and scheduled jobs."""

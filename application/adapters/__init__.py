"""What the services stand on: the event store and its hash chain, the tables beside it
(keys, idempotent answers, checkpoints, views), blobs, and the choice of backend."""

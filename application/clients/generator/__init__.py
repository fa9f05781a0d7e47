"""A deterministic generator of realistic, province-sized data sets (``hoctap demo generate``).

Same seed and scale, same aggregates, ids and number of events: every random choice comes
from one ``random.Random(seed)`` and every id from :func:`domain.base.ledger_id`. The bulk is
built with the domain's own commands and saved a few hundred aggregates per transaction;
personal data is sealed and CCCD numbers hashed through the vault, as the registry does.
"""

from application.clients.generator.run import GenerationSummary, generate

__all__ = ["GenerationSummary", "generate"]

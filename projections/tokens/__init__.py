"""Each account's bearer tokens (never the tokens themselves): to list and revoke them."""

from projections.tokens.projection import TOKENS, Tokens, evolve

__all__ = ["TOKENS", "Tokens", "evolve"]

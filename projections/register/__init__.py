"""The recognition register: every title granted or refused, by whom, valid when."""

from projections.register.projection import TITLES, Register, evolve

__all__ = ["TITLES", "Register", "evolve"]

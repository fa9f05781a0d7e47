"""Reliability checks under load and faults: ``python -m ops.reliability <check>``."""

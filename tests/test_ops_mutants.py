"""The mutation report counts what mutmut printed, module by module."""

from __future__ import annotations

from ops.mutants import scores

RESULTS = """\
    domain.integrity.x_leaf_bytes__mutmut_1: killed
    domain.integrity.x_leaf_bytes__mutmut_2: survived
    domain.integrity.xǁMerkleFrontierǁappend__mutmut_1: timeout
    domain.integrity.x_root__mutmut_3: no tests
    api.idempotency.x_request_digest__mutmut_1: killed
    api.idempotency.x_request_digest__mutmut_2: not checked
    domain.text.x_clean__mutmut_1: not checked
    a line that is not a mutant
"""


def test_each_module_scores_its_killed_mutants_over_those_not_equivalent():
    by_module = scores(RESULTS, equivalent={"domain.integrity.x_leaf_bytes__mutmut_2"})
    assert list(by_module) == ["api.idempotency", "domain.integrity"]
    integrity = by_module["domain.integrity"]
    assert (integrity.killed, integrity.counted, integrity.equivalent) == (2, 3, 1)
    assert integrity.survivors == ["domain.integrity.x_root__mutmut_3: no tests"]
    assert round(integrity.percent, 1) == 66.7
    assert by_module["api.idempotency"].percent == 100.0

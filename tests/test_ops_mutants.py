"""The mutation report counts what mutmut printed, module by module."""

from __future__ import annotations

from ops.mutants import fingerprint, read_pins, scores, stale_and_unpinned, write_pins

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


def test_a_listed_equivalent_that_was_killed_counts_once_as_killed():
    """A listed mutant that timed out (a busy machine) is killed: left out as equivalent too,
    it would be in the killed count and not in the counted one, a score above 100 %."""
    timed_out = RESULTS.replace(
        "x_leaf_bytes__mutmut_2: survived", "x_leaf_bytes__mutmut_2: timeout"
    )
    assert timed_out != RESULTS
    integrity = scores(timed_out, {"domain.integrity.x_leaf_bytes__mutmut_2"})["domain.integrity"]
    assert (integrity.killed, integrity.counted, integrity.equivalent) == (3, 4, 0)
    assert round(integrity.percent, 1) == 75.0


DIFF = """\
--- domain/integrity.py
+++ domain/integrity.py
@@ -4,7 +4,7 @@
     head = 1
-    return a >= b
+    return a > b
     tail = 2
"""


def test_a_fingerprint_is_what_the_mutation_changes_not_where_or_beside_what():
    moved = DIFF.replace("@@ -4,7 +4,7 @@", "@@ -40,7 +40,7 @@").replace("head = 1", "x = 0")
    assert fingerprint(moved) == fingerprint(DIFF)
    other = DIFF.replace("+    return a > b", "+    return a <= b")
    assert fingerprint(other) != fingerprint(DIFF)
    assert len(fingerprint(DIFF)) == 16


def test_a_listed_equivalent_whose_mutation_changed_is_stale_and_counts_again(tmp_path):
    equivalent = {"m.x_f__mutmut_1", "m.x_f__mutmut_2", "m.x_f__mutmut_3", "m.x_g__mutmut_9"}
    pins_file = tmp_path / "pins"
    write_pins({"m.x_f__mutmut_1": "aaaa", "m.x_f__mutmut_2": "bbbb"}, pins_file)
    pins = read_pins(pins_file)
    found = {"m.x_f__mutmut_1": "aaaa", "m.x_f__mutmut_2": "cccc", "m.x_f__mutmut_3": "dddd"}
    stale, unpinned = stale_and_unpinned(equivalent, pins, found)
    assert (stale, unpinned) == ({"m.x_f__mutmut_2"}, {"m.x_f__mutmut_3"})
    results = "\n".join(f"    {name}: survived" for name in sorted(equivalent))
    by_module = scores(results, equivalent - stale)["m"]
    assert by_module.survivors == ["m.x_f__mutmut_2: survived"]
    assert pins_file.read_text("utf-8") == "m.x_f__mutmut_1 aaaa\nm.x_f__mutmut_2 bbbb\n"

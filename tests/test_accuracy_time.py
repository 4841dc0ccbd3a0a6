"""Regression check of events, meetings and people against the hand-written gold sets
(tests/gold/events.yaml, meetings.yaml, people.yaml) and the event review
(tests/gold/events_review.yaml).

The checking code is benchmarks/accuracy_time.py (run it for the full report: found and
right per kind, every miss with its diagnosis).  Here the same check runs on the session
build and fails when recall falls below what was measured, or precision below its floor.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_spec = importlib.util.spec_from_file_location("jlis_accuracy_time", ROOT / "benchmarks" / "accuracy_time.py")
accuracy_time = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = accuracy_time  # dataclasses look their module up while it is executed
_spec.loader.exec_module(accuracy_time)

# Found, measured when the extractors were last improved (92 events, 51 meetings of which
# 50 with an agenda count, 4 presented documents, 51 post holders).  Raise these when
# extraction improves, so that the improvement is kept.
MEASURED_FOUND = {
    "event": (92, 92),
    "meeting": (51, 51),
    "agenda": (50, 50),
    "presented": (4, 4),
    "person": (51, 51),
}
# Right: share of what is extracted that is correct (events: gold-matching or reviewed).
MEASURED_RIGHT = {"event": 79 / 80, "meeting": 1.0, "membership": 1.0}


@pytest.fixture(scope="module")
def gold():
    return accuracy_time.load_gold()


@pytest.fixture(scope="module")
def index(dataset):
    return accuracy_time.TimeIndex.build(dataset)


@pytest.fixture(scope="module")
def outcomes(dataset, gold, index):
    return accuracy_time.evaluate(dataset, gold, index)


def _misses(outcomes, kind):
    return "\n".join(f"[{o.cause}] {accuracy_time.describe(o.kind, o.item)} → {o.detail}"
                     for o in outcomes if not o.found and o.kind == kind)


def test_gold_items_cite_their_lines(gold):
    problems = accuracy_time.citation_problems(gold, accuracy_time.accuracy.source_lines(ROOT))
    assert not problems, "\n".join(problems)


def test_gold_sets_have_the_expected_size(gold):
    assert len(gold["event"]) == MEASURED_FOUND["event"][1]
    assert len(gold["meeting"]) == MEASURED_FOUND["meeting"][1]
    assert len(gold["person"]) == MEASURED_FOUND["person"][1]


@pytest.mark.parametrize("kind", sorted(MEASURED_FOUND))
def test_found_has_not_regressed(outcomes, kind):
    found, total = accuracy_time.recall_by_kind(outcomes)[kind]
    floor, expected_total = MEASURED_FOUND[kind]
    assert total == expected_total
    assert found >= floor, f"{kind}: found {found}/{total} < {floor}/{total}; misses:\n{_misses(outcomes, kind)}"


def test_right_has_not_regressed(index, gold):
    for p in accuracy_time.precision(index, gold):
        assert not p.unjudged, f"{p.kind}: extracted but neither in the gold set nor reviewed " \
                               f"(judge them in tests/gold/events_review.yaml):\n" + "\n".join(p.unjudged)
        share = p.right / p.judged if p.judged else 1.0
        assert share >= MEASURED_RIGHT[p.kind] - 1e-9, f"{p.kind}: right {p.right}/{p.judged}:\n" + "\n".join(p.wrong)


def test_the_chair_question_is_one_lookup(outcomes):
    """「who chaired 経営審議委員会 in FY2020 and FY2023」: both holders are found."""
    chairs = [o for o in outcomes if o.kind == "person" and o.item["role"] == "委員長"
              and o.item["organization"] == "経営審議委員会"]
    assert {o.item["year"] for o in chairs} == {2020, 2023}
    assert all(o.found for o in chairs), _misses(outcomes, "person")

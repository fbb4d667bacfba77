"""Relative date resolution against the publication date (eventwire.temporal)."""

from __future__ import annotations

from datetime import date

import pytest

from eventwire.temporal import find_date_expressions, resolve_date

MONDAY = date(2025, 3, 17)


def _resolve(text: str, tense: str = "past", published: date = MONDAY) -> date | None:
    found = find_date_expressions(text)
    assert found, f"no date expression found in {text!r}"
    resolved = resolve_date(found[0], published, tense)  # type: ignore[arg-type]
    return resolved.start if resolved else None


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [
        ("met over the weekend", "past", date(2025, 3, 15)),
        ("will meet at the weekend", "future", date(2025, 3, 22)),
        ("said on Monday", "past", date(2025, 3, 17)),
        ("met on Thursday", "past", date(2025, 3, 13)),
        ("to meet on Thursday", "future", date(2025, 3, 20)),
        ("meets on Thursday", "present", date(2025, 3, 20)),
        ("last Monday", "past", date(2025, 3, 10)),
        ("next Monday", "past", date(2025, 3, 24)),
        ("yesterday", "past", date(2025, 3, 16)),
        ("today", "past", date(2025, 3, 17)),
        ("tomorrow", "future", date(2025, 3, 18)),
        ("last week", "past", date(2025, 3, 10)),
        ("next week", "future", date(2025, 3, 24)),
        ("earlier this month", "past", date(2025, 3, 1)),
        ("last month", "past", date(2025, 2, 1)),
        ("in March", "past", date(2025, 3, 1)),
        ("in June", "past", date(2024, 6, 1)),
        ("in June", "future", date(2025, 6, 1)),
        ("on March 3", "past", date(2025, 3, 3)),
        ("on 3 March 2024", "past", date(2024, 3, 3)),
        ("two days ago", "past", date(2025, 3, 15)),
        ("2025-01-05", "past", date(2025, 1, 5)),
    ],
)
def test_temporal_resolves_relative_expressions(text: str, tense: str, expected: date) -> None:
    assert _resolve(text, tense) == expected


def test_temporal_weekend_is_a_range() -> None:
    found = find_date_expressions("over the weekend")
    resolved = resolve_date(found[0], MONDAY, "past")
    assert resolved is not None
    assert (resolved.start, resolved.end) == (date(2025, 3, 15), date(2025, 3, 16))


def test_temporal_modal_may_is_not_a_month() -> None:
    assert find_date_expressions("Russia may attack in may") == []
    assert [e.kind for e in find_date_expressions("in May 2024")] == ["in_month"]


def test_temporal_expressions_do_not_overlap() -> None:
    found = find_date_expressions("On Monday, he said that last week talks began on March 3.")
    assert [e.text for e in found] == ["Monday", "last week", "March 3"]

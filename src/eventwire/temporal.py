"""Resolve relative date expressions ("on Monday", "last week", "over the weekend") against the
publication date of an article.

The rules, in one place (the event coder passes the tense of the clause that carries the event):

* ``today``/``tonight``/``this morning|afternoon|evening`` → the publication day; ``yesterday`` → the
  day before; ``tomorrow`` → the day after.
* A bare weekday ("on Monday", "Thursday night"): in a **past** clause the most recent such day on or
  before publication (a Monday article's "said on Monday" is that very day); in a **future** clause
  the next such day strictly after publication; in a **present** clause (news present: "meets on
  Thursday") the next such day on or after publication. ``last <weekday>`` is always the most recent
  such day strictly before, ``next <weekday>`` the next one strictly after.
* ``over/at/during the weekend``, ``this weekend``: the Saturday of the most recent weekend (past) or
  of the coming weekend (present/future); ``last weekend``/``next weekend`` force the direction.
  The result is a range Saturday-Sunday whose ``start`` is the event date.
* ``last|this|next week`` → the range of that ISO week (Monday-Sunday); ``earlier this week`` → Monday
  of the current week up to the day before publication; ``later this week`` → the day after
  publication to Sunday.
* ``last|this|next month``, ``earlier|later this month`` → the corresponding range of days;
  ``last|this|next year`` likewise.
* ``in March``/``March`` → the month's range in the publication year, except that a month after the
  publication month in a past clause means the previous year, and a month before it in a future
  clause means the next year. ``March 3``, ``3 March``, ``on March 3, 2024`` → that day, with the same
  year inference when no year is written. ISO dates (``2025-03-03``) are taken as written.
* ``N days|weeks ago`` → publication minus N days/weeks.

The expression attached nearest to the event in the dependency tree is chosen by the coder; when an
event has no date expression its date is the publication day (or ``None`` without one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

__all__ = ["DateExpression", "DateResolution", "Tense", "find_date_expressions", "resolve_date"]

Tense = Literal["past", "present", "future"]

WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
MONTHS: tuple[str, ...] = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}
_MONTH_ABBR["sept"] = 9
_MONTH_NUM = {m: i + 1 for i, m in enumerate(MONTHS)} | _MONTH_ABBR

_WD = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_MON = r"(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_NUMBER_WORDS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}

# Order matters: longer, more specific expressions first (the scanner keeps non-overlapping matches).
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("iso", r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    (
        "month_day",
        rf"\b(?P<mon>{_MON})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?",
    ),
    (
        "day_month",
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MON})(?:,?\s+(?P<y>\d{{4}})\b)?",
    ),
    (
        "ago",
        r"\b(?P<n>\d+|a|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?P<unit>day|week|month)s?\s+ago\b",
    ),
    ("rel_weekday", rf"\b(?P<dir>last|next|this|this past|this coming)\s+(?P<wd>{_WD})\b"),
    (
        "weekend",
        r"\b(?:(?P<dir>last|next|this|this past|this coming)\s+weekend|(?:over|at|during|on)\s+the\s+weekend)\b",
    ),
    (
        "part_period",
        r"\b(?P<part>earlier|later|early|late)\s+(?:this|in the)\s+(?P<unit>week|month|year)\b",
    ),
    ("rel_period", r"\b(?P<dir>last|next|this|past)\s+(?P<unit>week|month|year)\b"),
    (
        "in_month",
        rf"\b(?:(?:in|since|during|by|until|through|early|late)\s+|mid-?)(?P<mon>{_MON})(?:\s+(?P<y>\d{{4}}))?\b",
    ),
    ("weekday", rf"\b(?P<wd>{_WD})\b"),
    (
        "deictic",
        r"\b(?P<word>yesterday|today|tonight|tomorrow|this morning|this afternoon|this evening)\b",
    ),
)
_COMPILED = tuple((kind, re.compile(rx, re.IGNORECASE)) for kind, rx in _PATTERNS)


@dataclass(frozen=True, slots=True)
class DateExpression:
    """A date expression found in text: its kind, offsets relative to the scanned text, groups."""

    kind: str
    text: str
    start: int
    end: int
    groups: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class DateResolution:
    """A resolved date (or range): ``start`` is the date an event gets; ``rule`` says why."""

    start: date
    end: date
    rule: str

    def iso(self) -> str:
        return self.start.isoformat()


def find_date_expressions(text: str) -> list[DateExpression]:
    """All non-overlapping date expressions in ``text``, in text order."""
    taken: list[tuple[int, int]] = []
    found: list[DateExpression] = []
    for kind, rx in _COMPILED:
        for m in rx.finditer(text):
            s, e = m.start(), m.end()
            if any(s < te and ts < e for ts, te in taken):
                continue
            mon = m.groupdict().get("mon")
            if mon and not mon[0].isupper():
                # months are capitalised in English; this keeps the modal "may" out
                continue
            groups = tuple((k, v) for k, v in m.groupdict().items() if v is not None)
            taken.append((s, e))
            found.append(DateExpression(kind, m.group(0), s, e, groups))
    found.sort(key=lambda x: x.start)
    return found


def _month_range(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def _infer_year(month: int, day: int, published: date, tense: Tense) -> int:
    year = published.year
    try:
        candidate = date(year, month, day)
    except ValueError:
        return year
    if tense == "past" and candidate > published:
        return year - 1
    if tense == "future" and candidate < published:
        return year + 1
    return year


def _weekday(
    published: date, wd: int, direction: Literal["back", "back_strict", "fwd", "fwd_strict"]
) -> date:
    delta = (published.weekday() - wd) % 7
    if direction == "back":
        return published - timedelta(days=delta)
    if direction == "back_strict":
        return published - timedelta(days=delta or 7)
    ahead = (wd - published.weekday()) % 7
    if direction == "fwd":
        return published + timedelta(days=ahead)
    return published + timedelta(days=ahead or 7)


def _wd_index(name: str) -> int:
    return WEEKDAYS.index(name.lower())


def resolve_date(
    expr: DateExpression, published: date, tense: Tense = "past"
) -> DateResolution | None:
    """Resolve one expression against ``published`` for a clause in ``tense`` (rules: module doc)."""
    g = dict(expr.groups)
    kind = expr.kind
    if kind == "iso":
        try:
            d = date(int(g["y"]), int(g["m"]), int(g["d"]))
        except ValueError:
            return None
        return DateResolution(d, d, "iso")
    if kind in {"month_day", "day_month"}:
        month = _MONTH_NUM[g["mon"].lower().rstrip(".")]
        day = int(g["d"])
        year = int(g["y"]) if "y" in g else _infer_year(month, day, published, tense)
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        return DateResolution(d, d, "month_day" if "y" not in g else "full_date")
    if kind == "in_month":
        month = _MONTH_NUM[g["mon"].lower().rstrip(".")]
        if "y" in g:
            year = int(g["y"])
        else:
            year = published.year
            if tense == "past" and month > published.month:
                year -= 1
            elif tense == "future" and month < published.month:
                year += 1
        first, last = _month_range(year, month)
        return DateResolution(first, last, "month")
    if kind == "ago":
        n_raw = g["n"].lower()
        n = int(n_raw) if n_raw.isdigit() else _NUMBER_WORDS[n_raw]
        unit = g["unit"].lower()
        if unit == "day":
            d = published - timedelta(days=n)
        elif unit == "week":
            d = published - timedelta(weeks=n)
        else:
            month_index = published.year * 12 + published.month - 1 - n
            d = date(month_index // 12, month_index % 12 + 1, 1)
            return DateResolution(d, _month_range(d.year, d.month)[1], "months_ago")
        return DateResolution(d, d, f"{unit}s_ago")
    if kind == "deictic":
        word = g["word"].lower()
        offset = {"yesterday": -1, "tomorrow": 1}.get(word, 0)
        d = published + timedelta(days=offset)
        return DateResolution(d, d, word.replace(" ", "_"))
    if kind == "weekday":
        wd = _wd_index(g["wd"])
        if tense == "past":
            d = _weekday(published, wd, "back")
        elif tense == "future":
            d = _weekday(published, wd, "fwd_strict")
        else:
            d = _weekday(published, wd, "fwd")
        return DateResolution(d, d, f"weekday_{tense}")
    if kind == "rel_weekday":
        wd = _wd_index(g["wd"])
        direction = g["dir"].lower()
        if direction in {"last", "this past"}:
            d = _weekday(published, wd, "back_strict")
        elif direction in {"next", "this coming"}:
            d = _weekday(published, wd, "fwd_strict")
        else:
            d = _weekday(published, wd, "back" if tense == "past" else "fwd")
        return DateResolution(d, d, f"{direction.replace(' ', '_')}_weekday")
    if kind == "weekend":
        direction = (g.get("dir") or "").lower()
        if direction in {"last", "this past"} or (
            (not direction or direction == "this") and tense == "past"
        ):
            # the most recent Saturday strictly before publication, unless published on Sunday
            sat = (
                _weekday(published, 5, "back_strict")
                if published.weekday() != 6
                else published - timedelta(days=1)
            )
        else:
            sat = _weekday(published, 5, "fwd_strict" if direction == "next" else "fwd")
        return DateResolution(sat, sat + timedelta(days=1), "weekend")
    if kind == "rel_period":
        return _period(g["dir"].lower(), g["unit"].lower(), published)
    if kind == "part_period":
        base = _period("this", g["unit"].lower(), published)
        part = g["part"].lower()
        if part in {"earlier", "early"}:
            end = max(base.start, published - timedelta(days=1)) if part == "earlier" else base.end
            return DateResolution(base.start, end, f"{part}_this_{g['unit'].lower()}")
        start = min(base.end, published + timedelta(days=1)) if part == "later" else base.start
        return DateResolution(start, base.end, f"{part}_this_{g['unit'].lower()}")
    return None


def _period(direction: str, unit: str, published: date) -> DateResolution:
    step = {"last": -1, "past": -1, "next": 1}.get(direction, 0)
    if unit == "week":
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=step)
        return DateResolution(monday, monday + timedelta(days=6), f"{direction}_week")
    if unit == "month":
        index = published.year * 12 + published.month - 1 + step
        first, last = _month_range(index // 12, index % 12 + 1)
        return DateResolution(first, last, f"{direction}_month")
    year = published.year + step
    return DateResolution(date(year, 1, 1), date(year, 12, 31), f"{direction}_year")

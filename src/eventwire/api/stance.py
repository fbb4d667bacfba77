"""The commitment board: each actor's latest stance towards a target on a theme.

For a target (a country code such as ``UKR``, an organisation code or a knowledge-base id) and a
theme (``data/board/themes.yaml``: CAMEO code prefixes, PLOVER contexts and keywords), the board
looks at the events of every article that concerns the target and sorts each source actor into

* **committed** - an asserted or intended pledge (``AGREE``, ``AID``, ``COOPERATE``),
* **conditional** - a pledge made under a condition, or a refusal that is negated ("did not rule
  out"),
* **in talks** - consultations without a pledge, or a negated pledge,
* **declined** - a refusal (``REJECT``),

as the ``stances`` table of the data file says for each PLOVER type and modality.

An event counts when its source has a country or organisation code other than the target's, when
its (type, modality) has a stance, and when either its target *is* the target and (with a theme)
it matches the theme, or - an implied target - its article concerns the target (an event of the
article is aimed at it, or one of its places lies in it) and the event matches the theme. Themes
match by CAMEO code prefix, PLOVER context, or a keyword in the sentence behind the event.

Each actor's stance is its latest: the event with the latest day wins; on the same day an explicit
target beats an implied one, then a firmer stance (committed or declined, then conditional, then
in talks) beats a vaguer one, then the later position in the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import ColumnElement, CompoundSelect, Select, and_, or_, select, union
from sqlalchemy.orm import Session

from ..errors import LexiconError
from ..model import Modality
from ..storage.repo import to_utc
from ..storage.tables import ArticleRow, EventRow, PlaceRow
from .queries import actor_names

__all__ = [
    "STANCE_LABELS",
    "STANCE_ORDER",
    "Board",
    "BoardConfig",
    "StanceEntry",
    "Theme",
    "build_board",
    "load_board_config",
    "sentence_around",
]

StanceName = Literal["committed", "conditional", "in_talks", "declined"]

#: display order of the board's columns
STANCE_ORDER: tuple[StanceName, ...] = ("committed", "conditional", "in_talks", "declined")
STANCE_LABELS: dict[str, str] = {
    "committed": "Committed",
    "conditional": "Conditional",
    "in_talks": "In talks, no pledge",
    "declined": "Declined or refused",
}
_FIRMNESS: dict[str, int] = {"committed": 3, "declined": 3, "conditional": 2, "in_talks": 1}
_DATA_FILE = "themes.yaml"


# ---------------------------------------------------------------------------------------------
# The data file
# ---------------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StanceRule(_Strict):
    type: str = Field(pattern=r"^[A-Z_]{2,32}$")
    modality: Modality
    stance: StanceName


class Theme(_Strict):
    """A subject of commitments: CAMEO code prefixes, PLOVER contexts and sentence keywords."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")
    label: str = Field(min_length=1, max_length=80)
    cameo: list[str] = Field(default_factory=list)
    contexts: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)

    @field_validator("cameo")
    @classmethod
    def _digits(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if code and not (code.isdigit() and len(code) <= 4):
                raise ValueError(f"CAMEO prefix {code!r} is not 1-4 digits")
        return codes

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, words: list[str]) -> list[str]:
        for word in words:
            if not word.strip() or "*" in word.rstrip("*"):
                raise ValueError(f"keyword {word!r}: empty, or '*' not at the end")
        return words

    def pattern(self) -> re.Pattern[str] | None:
        """One regex for all keywords (whole words, case-insensitive; ``*`` = any ending)."""
        if not self.keywords:
            return None
        parts = []
        for word in self.keywords:
            stem = word.rstrip("*")
            body = r"\s+".join(re.escape(w) for w in stem.split())
            parts.append(body + (r"\w*" if word.endswith("*") else ""))
        return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


class BoardFile(_Strict):
    version: str
    source: str
    license: str
    known_gaps: str
    stances: list[StanceRule] = Field(min_length=1)
    themes: list[Theme] = Field(min_length=1)


@dataclass(frozen=True)
class BoardConfig:
    """The validated data file: stance rules by (type, modality) and themes by id."""

    version: str
    rules: dict[tuple[str, str], StanceName]
    themes: dict[str, Theme]
    patterns: dict[str, re.Pattern[str] | None]

    def matches(self, theme: Theme, cameo: str, contexts: Iterable[str], sentence: str) -> bool:
        """Whether an event (its CAMEO code, PLOVER contexts and sentence) is on ``theme``."""
        if any(cameo.startswith(prefix) for prefix in theme.cameo):
            return True
        if set(contexts) & set(theme.contexts):
            return True
        pattern = self.patterns.get(theme.id)
        return bool(pattern is not None and pattern.search(sentence))


def _validation_message(exc: ValidationError) -> tuple[str, int | None]:
    err = exc.errors()[0]
    loc = err.get("loc", ())
    row = next((p for p in loc if isinstance(p, int)), None)
    where = ".".join(str(p) for p in loc)
    return f"{where}: {err.get('msg', 'invalid')}", row


def _parse_board(text: str, name: str) -> BoardConfig:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LexiconError(f"not valid YAML: {exc}", path=name) from exc
    if not isinstance(raw, dict):
        raise LexiconError("expected a mapping at the top level", path=name)
    try:
        data = BoardFile.model_validate(raw)
    except ValidationError as exc:
        message, row = _validation_message(exc)
        raise LexiconError(message, path=name, row=row) from exc
    rules: dict[tuple[str, str], StanceName] = {}
    for i, rule in enumerate(data.stances):
        key = (rule.type, rule.modality)
        if key in rules:
            raise LexiconError(
                f"duplicate stance rule {rule.type}/{rule.modality}", path=name, row=i
            )
        rules[key] = rule.stance
    themes: dict[str, Theme] = {}
    for i, theme in enumerate(data.themes):
        if theme.id in themes:
            raise LexiconError(f"duplicate theme id {theme.id!r}", path=name, row=i)
        themes[theme.id] = theme
    return BoardConfig(
        version=data.version,
        rules=rules,
        themes=themes,
        patterns={t.id: t.pattern() for t in themes.values()},
    )


@lru_cache(maxsize=1)
def _default_config() -> BoardConfig:
    ref = resources.files("eventwire.data").joinpath("board").joinpath(_DATA_FILE)
    return _parse_board(ref.read_text("utf-8"), f"eventwire/data/board/{_DATA_FILE}")


def load_board_config(path: str | Path | None = None) -> BoardConfig:
    """The board's themes and stance rules: the packaged file, or the YAML file at ``path``.

    Raises:
        LexiconError: the file is missing or invalid (the message names the file and the row).
    """
    if path is None:
        return _default_config()
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise LexiconError(f"cannot read: {exc}", path=str(path)) from exc
    return _parse_board(text, str(path))


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------

# A sentence ends at . ! or ? (optionally followed by closing quotes or brackets) followed by
# white space and an upper-case letter, a digit or an opening quote.
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


def sentence_around(text: str, start: int, end: int | None = None) -> tuple[int, int]:
    """The character offsets of the sentence containing ``text[start:end]``.

    Sentences do not cross line breaks (paragraphs); inside a line they end at ``.``, ``!`` or
    ``?`` before a capitalised word.
    """
    start = max(0, min(start, len(text)))
    end = start if end is None else max(start, min(end, len(text)))
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if line_end < 0:
        line_end = len(text)
    s, e = line_start, line_end
    for m in _SENTENCE_END.finditer(text, line_start, line_end):
        if m.end() <= start:
            s = m.end()
        elif m.start() >= end:
            e = m.start() + 1
            # keep closing quotes or brackets with the sentence they close
            while e < line_end and text[e] in "\"”’')]":
                e += 1
            break
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


# ---------------------------------------------------------------------------------------------
# The board
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StanceEntry:
    """One actor's latest stance, with the event and sentence behind it."""

    actor: str
    name: str
    stance: StanceName
    article_id: str
    event_id: str
    plover_type: str
    cameo_code: str
    modality: str
    day: date | None
    trigger: str
    sentence: str
    explicit_target: bool
    article_title: str | None
    published: datetime | None
    statements: int

    @property
    def uid(self) -> str:
        return f"{self.article_id}:{self.event_id}"


@dataclass(frozen=True)
class Board:
    target: str
    target_name: str
    theme: Theme | None
    plover_type: str | None
    entries: list[StanceEntry]
    articles_considered: int

    def by_stance(self) -> dict[str, list[StanceEntry]]:
        groups: dict[str, list[StanceEntry]] = {s: [] for s in STANCE_ORDER}
        for entry in self.entries:
            groups[entry.stance].append(entry)
        return groups


def _concerns(target: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    aimed = or_(
        EventRow.target_country == target.upper(),
        EventRow.target_org == target.upper(),
        EventRow.target_kb == target,
    )
    return aimed, PlaceRow.country == target.upper()


def build_board(
    session: Session,
    target: str,
    *,
    theme: str | None = None,
    plover_type: str | None = None,
    since: date | None = None,
    until: date | None = None,
    config: BoardConfig | None = None,
    max_articles: int = 2000,
) -> Board:
    """Build the commitment board for ``target`` (see the module docstring for the rules).

    Args:
        session: a session of the store.
        target: a country code (``UKR``), organisation code or knowledge-base id.
        theme: a theme id of the data file; ``None`` counts only events aimed at the target.
        plover_type: count only events of this PLOVER type (e.g. ``AGREE``).
        since: only events on or after this day.
        until: only events on or before this day.
        config: the themes and rules (default: the packaged data file).
        max_articles: look at the most recent articles concerning the target only.

    Raises:
        KeyError: ``theme`` is not a theme of the configuration.
    """
    config = config or load_board_config()
    chosen = config.themes[theme] if theme else None
    types = sorted({t for t, _ in config.rules})
    modalities = sorted({m for _, m in config.rules})
    if plover_type:
        types = [t for t in types if t == plover_type.upper()]
    aimed, placed = _concerns(target)
    day_conds: list[ColumnElement[bool]] = []
    if since is not None:
        day_conds.append(EventRow.day >= since)
    if until is not None:
        day_conds.append(EventRow.day <= until)
    concerning: Select[Any] | CompoundSelect[Any]
    if chosen is None:
        concerning = select(EventRow.article_id).where(aimed, *day_conds)
    else:
        concerning = union(
            select(EventRow.article_id).where(aimed, *day_conds),
            select(PlaceRow.article_id).where(placed),
        )
    article_ids = list(
        session.scalars(
            select(ArticleRow.id)
            .where(ArticleRow.id.in_(concerning))
            .order_by(ArticleRow.published.desc(), ArticleRow.id.desc())
            .limit(max_articles)
        )
    )
    candidates: list[Any] = []
    texts: dict[str, tuple[str, str | None, datetime | None]] = {}
    for i in range(0, len(article_ids), 500):
        chunk = article_ids[i : i + 500]
        conds: list[ColumnElement[bool]] = [
            EventRow.article_id.in_(chunk),
            EventRow.plover_type.in_(types),
            EventRow.modality.in_(modalities),
            or_(EventRow.source_country.is_not(None), EventRow.source_org.is_not(None)),
            *day_conds,
        ]
        if chosen is None:
            conds.append(aimed)
        candidates.extend(session.execute(select(EventRow).where(and_(*conds))).scalars())
        for aid, text, title, published in session.execute(
            select(ArticleRow.id, ArticleRow.text, ArticleRow.title, ArticleRow.published).where(
                ArticleRow.id.in_(chunk)
            )
        ):
            texts[aid] = (text or "", title, to_utc(published))
    best: dict[str, tuple[tuple[Any, ...], StanceEntry]] = {}
    statements: dict[str, int] = {}
    upper = target.upper()
    for ev in candidates:
        actor = ev.source_country or ev.source_org
        if not actor or actor in (upper, target) or ev.source_kb == target:
            continue
        stance = config.rules.get((ev.plover_type, ev.modality))
        if stance is None:
            continue
        explicit = upper in (ev.target_country, ev.target_org) or ev.target_kb == target
        text, title, published = texts.get(ev.article_id, ("", None, None))
        s, e = sentence_around(text, ev.trigger_start, ev.trigger_end)
        sentence = text[s:e]
        if chosen is not None and not config.matches(
            chosen, ev.cameo_code, ev.plover_context or [], sentence
        ):
            continue
        statements[actor] = statements.get(actor, 0) + 1
        rank = (
            ev.day or date.min,
            explicit,
            _FIRMNESS[stance],
            published or datetime.min,
            ev.trigger_start,
        )
        entry = StanceEntry(
            actor=actor,
            name=actor,
            stance=stance,
            article_id=ev.article_id,
            event_id=ev.event_id,
            plover_type=ev.plover_type,
            cameo_code=ev.cameo_code,
            modality=ev.modality,
            day=ev.day,
            trigger=ev.trigger_text,
            sentence=sentence,
            explicit_target=explicit,
            article_title=title,
            published=published,
            statements=0,
        )
        current = best.get(actor)
        if current is None or _later(rank, current[0]):
            best[actor] = (rank, entry)
    names = actor_names(session, [*best, target])
    entries = [
        StanceEntry(
            **{
                **entry.__dict__,
                "name": names.get(actor, actor),
                "statements": statements[actor],
            }
        )
        for actor, (_, entry) in best.items()
    ]
    entries.sort(key=lambda x: (STANCE_ORDER.index(x.stance), x.name.casefold(), x.actor))
    return Board(
        target=target,
        target_name=names.get(target, target),
        theme=chosen,
        plover_type=plover_type.upper() if plover_type else None,
        entries=entries,
        articles_considered=len(article_ids),
    )


def _later(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    # published may be aware or naive-min; compare field by field with a common default
    for x, y in zip(a, b, strict=True):
        if isinstance(x, datetime) and isinstance(y, datetime):
            x, y = x.replace(tzinfo=None), y.replace(tzinfo=None)
        if x != y:
            return bool(x > y)
    return False

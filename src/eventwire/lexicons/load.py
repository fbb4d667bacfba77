"""Load and validate the CAMEO/PLOVER ontology and the event pattern lexicon.

Both are package data (``eventwire/data/ontology`` and ``eventwire/data/lexicon``), read with
:mod:`importlib.resources`. Every file is checked against the schemas in
:mod:`eventwire.lexicons.schema`; any problem raises :class:`eventwire.errors.LexiconError` naming the
file and the row (a TSV line number or a pattern's position in its ``patterns`` list).

The default ontology and lexicon are cached; ``load_lexicon(extra=[...])`` builds a fresh
:class:`Lexicon` whose user files add patterns and classes and override defaults with the same id.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from eventwire.errors import LexiconError
from eventwire.lexicons.schema import (
    CameoCode,
    LexiconFile,
    ModalityRow,
    Pattern,
    PloverFile,
    PloverType,
)

__all__ = ["Lexicon", "Ontology", "load_lexicon", "load_ontology", "split_multiword"]

LOGGER = logging.getLogger(__name__)

_DATA = "eventwire.data"
_CAMEO_COLUMNS = (
    "code",
    "level",
    "root",
    "name",
    "goldstein",
    "goldstein_source",
    "quad_class",
    "quad_class_gdelt",
    "plover_type",
    "plover_mode",
    "plover_context",
    "plover_source",
)
_MODALITY_COLUMNS = ("action_code", "intent_code", "refusal_code", "note")
_LEXICON_PREFIXES = ("verbs", "nouns")
# libyaml's safe loader parses the ~4,000 default patterns about 10x faster than the pure-Python one.
_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _fmt(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "value"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def _read_tsv(name: str, text: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Parse a ``#``-headed TSV; return (line number, row) pairs."""
    lines = text.splitlines()
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    for lineno, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = next(csv.reader(io.StringIO(line), delimiter="\t", quoting=csv.QUOTE_NONE))
        if header is None:
            header = cells
            if tuple(header) != columns:
                raise LexiconError(
                    f"header {header} does not match expected columns {list(columns)}",
                    path=name,
                    row=lineno,
                )
            continue
        if len(cells) != len(header):
            raise LexiconError(
                f"expected {len(header)} tab-separated cells, found {len(cells)}",
                path=name,
                row=lineno,
            )
        rows.append((lineno, dict(zip(header, cells, strict=True))))
    if header is None:
        raise LexiconError("no header row", path=name)
    return rows


def _data_text(*parts: str) -> tuple[str, str]:
    """Return (display name, text) of a package data file."""
    node = resources.files(_DATA)
    for part in parts:
        node = node.joinpath(part)
    name = "eventwire/data/" + "/".join(parts)
    try:
        return name, node.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise LexiconError("package data file is missing", path=name) from exc


def _yaml(name: str, text: str) -> Any:
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise LexiconError(f"invalid YAML: {exc}", path=name, row=row) from exc


class Ontology:
    """CAMEO codes, PLOVER types and contexts, and the intent/refusal code maps."""

    def __init__(
        self,
        version: str,
        codes: dict[str, CameoCode],
        plover_types: dict[str, PloverType],
        contexts: list[str],
        intents: dict[str, str | None],
        refusals: dict[str, str | None],
        quads: dict[str, list[str]],
    ) -> None:
        self.version = version
        self._codes = codes
        self._plover = plover_types
        self.contexts = contexts
        self._intents = intents
        self._refusals = refusals
        self.quads = quads

    def __repr__(self) -> str:
        return f"Ontology(version={self.version!r}, codes={len(self._codes)})"

    @property
    def codes(self) -> list[CameoCode]:
        """All CAMEO codes in codebook order."""
        return list(self._codes.values())

    @property
    def plover_types(self) -> list[PloverType]:
        """The PLOVER event types in manual order."""
        return list(self._plover.values())

    def cameo(self, code: str) -> CameoCode:
        """Return the CAMEO code record; raise :class:`LexiconError` for an unknown code."""
        try:
            return self._codes[code]
        except KeyError:
            raise LexiconError(f"unknown CAMEO code {code!r}") from None

    def has(self, code: str) -> bool:
        """Whether ``code`` is a CAMEO code."""
        return code in self._codes

    def plover(self, name: str) -> PloverType:
        """Return a PLOVER type by name (``"ASSAULT"``); raise :class:`LexiconError` if unknown."""
        try:
            return self._plover[name.upper()]
        except KeyError:
            raise LexiconError(f"unknown PLOVER type {name!r}") from None

    @staticmethod
    def _walk(code: str) -> Iterable[str]:
        yield code
        if len(code) == 4:
            yield code[:3]
        if len(code) >= 3:
            yield code[:2]

    def _lookup(self, table: dict[str, str | None], code: str) -> str | None:
        for candidate in self._walk(code):
            if candidate in table:
                return table[candidate]
        return None

    def intent_code(self, action_code: str) -> str | None:
        """CAMEO code for "express intent to do ``action_code``" (sub-code, then base, then root)."""
        return self._lookup(self._intents, action_code)

    def refusal_code(self, action_code: str) -> str | None:
        """CAMEO code for "refuse to do ``action_code``" (sub-code, then base, then root)."""
        return self._lookup(self._refusals, action_code)


def _opt(value: str) -> str | None:
    value = value.strip()
    return value or None


def _parse_cameo(name: str, text: str) -> dict[str, CameoCode]:
    codes: dict[str, CameoCode] = {}
    for lineno, row in _read_tsv(name, text, _CAMEO_COLUMNS):
        try:
            record = CameoCode(
                code=row["code"],
                level=row["level"],
                root=row["root"],
                name=row["name"],
                goldstein=float(row["goldstein"]) if row["goldstein"].strip() else None,
                goldstein_source=row["goldstein_source"],
                quad_class=int(row["quad_class"]),
                quad_class_gdelt=int(row["quad_class_gdelt"]),
                plover_type=_opt(row["plover_type"]),
                plover_mode=_opt(row["plover_mode"]),
                plover_context=[c for c in row["plover_context"].split(";") if c],
                plover_source=row["plover_source"],
            )
        except (ValidationError, ValueError) as exc:
            msg = _fmt(exc) if isinstance(exc, ValidationError) else str(exc)
            raise LexiconError(msg, path=name, row=lineno) from exc
        if record.code in codes:
            raise LexiconError(f"duplicate code {record.code}", path=name, row=lineno)
        codes[record.code] = record
    return codes


@lru_cache(maxsize=1)
def load_ontology() -> Ontology:
    """Load (once) and validate ``cameo.tsv``, ``plover.yaml`` and ``modality_maps.tsv``."""
    pname, ptext = _data_text("ontology", "plover.yaml")
    try:
        pfile = PloverFile.model_validate(_yaml(pname, ptext))
    except ValidationError as exc:
        raise LexiconError(_fmt(exc), path=pname) from exc
    plover = {t.name: t for t in pfile.types}
    for quad, members in pfile.quads.items():
        for member in members:
            if member not in plover:
                raise LexiconError(f"quad {quad} lists unknown type {member}", path=pname)
    for ptype in pfile.types:
        if ptype.quad not in pfile.quads or ptype.name not in pfile.quads[ptype.quad]:
            raise LexiconError(f"type {ptype.name} not listed under quad {ptype.quad}", path=pname)
    contexts = set(pfile.contexts)

    cname, ctext = _data_text("ontology", "cameo.tsv")
    codes = _parse_cameo(cname, ctext)
    for record in codes.values():
        where = f"code {record.code}"
        if record.root not in codes:
            raise LexiconError(f"{where}: root {record.root} is not a code", path=cname)
        if record.plover_type is None:
            continue
        if record.plover_type not in plover:
            raise LexiconError(f"{where}: unknown PLOVER type {record.plover_type}", path=cname)
        modes = plover[record.plover_type].modes
        if record.plover_mode is not None and record.plover_mode not in modes:
            raise LexiconError(
                f"{where}: mode {record.plover_mode!r} is not a mode of {record.plover_type}",
                path=cname,
            )
        for context in record.plover_context:
            if context not in contexts:
                raise LexiconError(f"{where}: unknown PLOVER context {context!r}", path=cname)

    mname, mtext = _data_text("ontology", "modality_maps.tsv")
    intents: dict[str, str | None] = {}
    refusals: dict[str, str | None] = {}
    for lineno, row in _read_tsv(mname, mtext, _MODALITY_COLUMNS):
        mrow = ModalityRow(
            action_code=row["action_code"],
            intent_code=_opt(row["intent_code"]),
            refusal_code=_opt(row["refusal_code"]),
            note=_opt(row["note"]),
        )
        for value in (mrow.action_code, mrow.intent_code, mrow.refusal_code):
            if value is not None and value not in codes:
                raise LexiconError(f"unknown CAMEO code {value!r}", path=mname, row=lineno)
        if mrow.action_code in intents:
            raise LexiconError(f"duplicate action code {mrow.action_code}", path=mname, row=lineno)
        intents[mrow.action_code] = mrow.intent_code
        refusals[mrow.action_code] = mrow.refusal_code
    return Ontology(
        version=pfile.version,
        codes=codes,
        plover_types=plover,
        contexts=list(pfile.contexts),
        intents=intents,
        refusals=refusals,
        quads=pfile.quads,
    )


class Lexicon:
    """The event pattern lexicon: patterns indexed by (lemma, kind) plus word classes."""

    def __init__(
        self,
        version: str,
        patterns: list[Pattern],
        classes: dict[str, frozenset[str]],
        files: Sequence[str] = (),
    ) -> None:
        self.version = version
        self.patterns = patterns
        self.classes = classes
        self.files = list(files)
        self._by_lemma: dict[tuple[str, str], list[Pattern]] = {}
        self._by_head: dict[tuple[str, str], list[tuple[tuple[str, ...], Pattern]]] = {}
        self._by_light_verb: dict[str, list[Pattern]] = {}
        self._objects: dict[str, frozenset[str] | None] = {}
        for pattern in patterns:
            self._by_lemma.setdefault((pattern.lemma, pattern.kind), []).append(pattern)
            parts = split_multiword(pattern.lemma)
            if len(parts) > 1:
                key = (parts[-1], pattern.kind)
                self._by_head.setdefault(key, []).append((parts[:-1], pattern))
            for verb in pattern.light_verbs:
                self._by_light_verb.setdefault(verb, []).append(pattern)
            self._objects[pattern.id] = self._expand(pattern.object)
        for bucket in (*self._by_lemma.values(), *self._by_light_verb.values()):
            bucket.sort(key=self._rank)
        for heads in self._by_head.values():
            heads.sort(key=lambda item: (-len(item[0]), self._rank(item[1])))

    def _rank(self, pattern: Pattern) -> tuple[int, int, str]:
        # Among equally constrained patterns, a narrower object set is the more specific one.
        allowed = self._objects.get(pattern.id)
        return (-pattern.specificity(), len(allowed) if allowed is not None else 0, pattern.id)

    def __repr__(self) -> str:
        return f"Lexicon(version={self.version!r}, patterns={len(self.patterns)})"

    def __len__(self) -> int:
        return len(self.patterns)

    def _expand(self, items: list[str] | None) -> frozenset[str] | None:
        if items is None:
            return None
        out: set[str] = set()
        for item in items:
            if item.startswith("@"):
                out |= self.classes[item[1:]]
            else:
                out.add(item)
        return frozenset(out)

    def for_lemma(self, lemma: str, kind: str) -> list[Pattern]:
        """Patterns whose head is ``lemma`` (``kind`` = verb|noun), most specific first."""
        return list(self._by_lemma.get((lemma.lower(), kind), ()))

    def has_head(self, head: str, kind: str) -> bool:
        """Whether any pattern (single or multiword) has ``head`` as its head word: when not,
        :meth:`for_phrase` finds nothing whatever the modifiers."""
        key = (head.lower(), kind)
        return key in self._by_lemma or key in self._by_head

    def for_phrase(self, head: str, modifiers: Sequence[str], kind: str) -> list[Pattern]:
        """Patterns for a head word together with the words written before it.

        Multiword lemmas (``hunger-strike``, ``car-bomb``, ``de-escalate``) are matched when
        ``modifiers`` - the lemmas of the tokens immediately left of the head, nearest last, e.g.
        its compound/amod dependents - end with the lemma's leading parts; they come first
        (longest first), followed by :meth:`for_lemma` for the head itself.

        Args:
            head: the head token's lemma.
            modifiers: lemmas of the preceding tokens in text order; punctuation is ignored.
            kind: ``"verb"`` or ``"noun"``.
        """
        multiword = self._by_head.get((head.lower(), kind))
        if not multiword:
            return self.for_lemma(head, kind)
        left = _clean_modifiers(modifiers)
        found: list[Pattern] = []
        for prefix, pattern in multiword:
            if len(prefix) <= len(left) and tuple(left[len(left) - len(prefix) :]) == prefix:
                found.append(pattern)
        return found + self.for_lemma(head, kind)

    def object_matches(
        self, pattern: Pattern, lemma: str | None, modifiers: Sequence[str] = ()
    ) -> bool:
        """Whether ``lemma`` satisfies the pattern's object constraint (``@CLASS`` expanded).

        A pattern without an object constraint matches anything, including a missing object;
        a constrained pattern never matches a missing object. Multiword members
        (``air-defense``) match when ``lemma`` is their last part and ``modifiers`` (lemmas
        before the object head, nearest last) end with the other parts.
        """
        if pattern.id in self._objects:
            allowed = self._objects[pattern.id]
        else:  # a pattern from outside this lexicon: its classes expanded now
            allowed = self._expand(pattern.object)
        if allowed is None:
            return True
        if lemma is None:
            return False
        word = lemma.lower()
        if word in allowed:
            return True
        left = _clean_modifiers(modifiers)
        if not left:
            return False
        for size in range(1, min(len(left), 3) + 1):
            if "-".join((*left[len(left) - size :], word)) in allowed:
                return True
            if " ".join((*left[len(left) - size :], word)) in allowed:
                return True
        return False

    def light_verb_nouns(self, verb_lemma: str) -> list[Pattern]:
        """Noun patterns that ``verb_lemma`` can carry as a light verb ("impose" → sanction)."""
        return list(self._by_light_verb.get(verb_lemma.lower(), ()))

    def in_class(self, name: str, lemma: str) -> bool:
        """Whether ``lemma`` belongs to word class ``name`` (with or without the leading ``@``)."""
        members = self.classes.get(name.lstrip("@"))
        return members is not None and lemma.lower() in members

    @property
    def lemmas(self) -> frozenset[tuple[str, str]]:
        """All (lemma, kind) heads that have at least one pattern."""
        return frozenset(self._by_lemma)


def split_multiword(lemma: str) -> tuple[str, ...]:
    """Split a multiword lemma (``"hunger-strike"``, ``"martial law"``) into its words."""
    return tuple(part for part in re.split(r"[-\s]+", lemma) if part)


def _clean_modifiers(modifiers: Sequence[str]) -> tuple[str, ...]:
    return tuple(m.lower() for m in modifiers if m and any(map(str.isalnum, m)))


@dataclass(frozen=True)
class _Source:
    name: str
    data: LexiconFile
    digest: str


def _read_lexicon_file(name: str, text: str) -> _Source:
    raw = _yaml(name, text)
    if not isinstance(raw, dict):
        raise LexiconError(
            "a lexicon file must be a mapping with version/source/license", path=name
        )
    try:
        data = LexiconFile.model_validate(raw)
    except ValidationError as exc:
        raise LexiconError(_fmt(exc), path=name) from exc
    return _Source(name, data, hashlib.sha256(text.encode("utf-8")).hexdigest())


@lru_cache(maxsize=1)
def _default_sources() -> tuple[_Source, ...]:
    root = resources.files(_DATA).joinpath("lexicon")
    names = sorted(
        node.name
        for node in root.iterdir()
        if node.name.endswith(".yaml")
        and (node.name == "classes.yaml" or node.name.startswith(_LEXICON_PREFIXES))
    )
    if "classes.yaml" not in names:
        raise LexiconError(
            "package data file is missing", path="eventwire/data/lexicon/classes.yaml"
        )
    return tuple(_read_lexicon_file(*_data_text("lexicon", n)) for n in names)


def _user_source(path: str | Path) -> _Source:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise LexiconError(f"cannot read lexicon file: {exc.strerror}", path=str(p)) from exc
    except UnicodeDecodeError as exc:
        raise LexiconError(
            f"lexicon file is not UTF-8 text (byte {exc.start}: {exc.reason})", path=str(p)
        ) from None
    return _read_lexicon_file(str(p), text)


_PATTERN_CACHE: dict[tuple[str, str], tuple[Pattern, ...]] = {}


def _patterns_of(src: _Source) -> tuple[Pattern, ...]:
    """Validate a file's patterns once per (file, content digest); patterns are immutable."""
    key = (src.name, src.digest)
    cached = _PATTERN_CACHE.get(key)
    if cached is not None:
        return cached
    out: list[Pattern] = []
    for row, raw in enumerate(src.data.patterns, start=1):
        try:
            out.append(Pattern.model_validate(raw))
        except ValidationError as exc:
            label = f"pattern {raw.get('id', '?')!s}"
            raise LexiconError(f"{label}: {_fmt(exc)}", path=src.name, row=row) from exc
    result = tuple(out)
    if len(_PATTERN_CACHE) < 64:
        _PATTERN_CACHE[key] = result
    return result


def _build(sources: list[_Source], ontology: Ontology, *, user_from: int) -> Lexicon:
    """Merge files into one lexicon; sources from index ``user_from`` on may override ids."""
    raw_classes: dict[str, list[str]] = {}
    class_origin: dict[str, str] = {}
    for src in sources:
        for cname, members in src.data.classes.items():
            raw_classes.setdefault(cname, [])
            raw_classes[cname] = [*raw_classes[cname], *members]
            class_origin.setdefault(cname, src.name)
    classes = _resolve_classes(raw_classes, class_origin)

    by_id: dict[str, Pattern] = {}
    origin: dict[str, str] = {}
    for index, src in enumerate(sources):
        seen_here: set[str] = set()
        for row, pattern in enumerate(_patterns_of(src), start=1):
            label = f"pattern {pattern.id}"
            if not ontology.has(pattern.cameo):
                raise LexiconError(
                    f"{label}: unknown CAMEO code {pattern.cameo!r}", path=src.name, row=row
                )
            if pattern.plover is not None:
                try:
                    ptype = ontology.plover(pattern.plover)
                except LexiconError:
                    raise LexiconError(
                        f"{label}: unknown PLOVER type {pattern.plover!r}", path=src.name, row=row
                    ) from None
                if pattern.plover_mode is not None and pattern.plover_mode not in ptype.modes:
                    raise LexiconError(
                        f"{label}: PLOVER type {ptype.name} has no mode {pattern.plover_mode!r}",
                        path=src.name,
                        row=row,
                    )
            for item in pattern.object or ():
                if item.startswith("@") and item[1:] not in classes:
                    raise LexiconError(
                        f"{label}: unknown word class {item}", path=src.name, row=row
                    )
            if pattern.id in seen_here or (pattern.id in by_id and index < user_from):
                raise LexiconError(
                    f"{label}: duplicate id (first in {origin[pattern.id]})",
                    path=src.name,
                    row=row,
                )
            if pattern.id in by_id:
                LOGGER.info(
                    "%s overrides pattern %s from %s", src.name, pattern.id, origin[pattern.id]
                )
                del by_id[pattern.id]
            seen_here.add(pattern.id)
            by_id[pattern.id] = pattern
            origin[pattern.id] = src.name

    defaults = sources[:user_from]
    versions = {s.data.version for s in defaults if s.data.patterns}
    if len(versions) > 1:
        raise LexiconError(f"default lexicon files disagree on version: {sorted(versions)}")
    version = versions.pop() if versions else (defaults[0].data.version if defaults else "0")
    if len(sources) > user_from:
        digest = hashlib.sha256("".join(s.digest for s in sources[user_from:]).encode()).hexdigest()
        version = f"{version}+user.{digest[:8]}"
    return Lexicon(version, list(by_id.values()), classes, [s.name for s in sources])


def _resolve_classes(
    raw: dict[str, list[str]], origin: dict[str, str]
) -> dict[str, frozenset[str]]:
    """Expand ``@OTHER`` references inside classes; reject unknown names and cycles."""
    resolved: dict[str, frozenset[str]] = {}

    def visit(name: str, stack: tuple[str, ...]) -> frozenset[str]:
        if name in resolved:
            return resolved[name]
        if name in stack:
            raise LexiconError(
                f"word class cycle: {' -> '.join((*stack, name))}", path=origin.get(stack[0], "")
            )
        out: set[str] = set()
        for member in raw[name]:
            if member.startswith("@"):
                ref = member[1:]
                if ref not in raw:
                    raise LexiconError(
                        f"class {name} refers to unknown class {member}", path=origin[name]
                    )
                out |= visit(ref, (*stack, name))
            elif member != member.lower() or not member.strip():
                raise LexiconError(
                    f"class {name}: member {member!r} must be a lowercase lemma", path=origin[name]
                )
            else:
                out.add(member)
        resolved[name] = frozenset(out)
        return resolved[name]

    for cname in raw:
        visit(cname, ())
    return resolved


@lru_cache(maxsize=1)
def _default_lexicon() -> Lexicon:
    sources = list(_default_sources())
    return _build(sources, load_ontology(), user_from=len(sources))


def load_lexicon(extra: Sequence[str | Path] = ()) -> Lexicon:
    """Load the pattern lexicon, optionally extended by user files.

    Args:
        extra: paths of user lexicon YAML files (same schema as the package files). Their
            patterns are added; a pattern whose id already exists replaces the earlier one, and
            their classes extend classes of the same name.

    Returns:
        The validated :class:`Lexicon`; the default (no ``extra``) is cached.

    Raises:
        LexiconError: a file is unreadable or invalid; the message names file and row.
    """
    if not extra:
        return _default_lexicon()
    sources = list(_default_sources())
    user_from = len(sources)
    sources.extend(_user_source(p) for p in extra)
    return _build(sources, load_ontology(), user_from=user_from)

"""The quotes stage: direct and indirect quotes with their speakers.

**Direct quotes** are found by a character scan of each paragraph (:func:`find_quote_spans`):
straight ``"..."``, curly ``“...”``, single curly ``‘...’`` and straight single ``'...'`` (told apart
from apostrophes by the characters around them), guillemets ``«...»`` and low-high ``„...“``. A double
quote still open at the end of a paragraph is closed there (news style re-opens a quote that goes on in
the next paragraph, and a missing closing mark is common); an unclosed single quote is dropped, since
it is more likely an apostrophe. Quotes inside quotes are part of the outer quote. A quote of one or two
words (scare quotes, quoted terms) is no direct quote: when it stands in the complement of a cue
verb, that clause is emitted as an indirect quote that contains it.

**Cues** come from the data file ``data/lexicon/speech_verbs.yaml``: reporting verbs (spaCy lemmas,
optionally with a particle, "point out") and phrases ("according to"). A cue never lies inside a
quote.

**Attribution of a direct quote**: the nearest cue verb outside quotes in the sentences the quote
touches (including the sentence before it when that sentence ends with a colon: "X said:
“...”"), in either order ("“...,” the minister said", "said the minister", "X said: “...”"). The
speaker is the cue verb's subject; a subject-less cue ("..., but added: “...”", "said X, adding")
takes the subject of the verb it is coordinated with or subordinated to. A quote without a cue that
continues the previous quote (the rest of its sentence or paragraph is not speech of someone else)
inherits the previous speaker ("“...,” one diplomat said. “It will ...”"; a paragraph that only
holds a quote after a quoted paragraph).

Pronoun speakers ("he said") take the last named speaker when there is one (the actor stage's
pronoun link, which may point at a person named inside the quote, is the fallback).

**Indirect speech**: a cue verb with a clausal complement ("Lammy said (that) ...", "told
reporters ...", "..., officials said") gives an indirect quote (``direct=False``) whose text is the
complement (without "that"); "according to X" gives the rest of the sentence. An indirect quote
overlapping a direct quote is not emitted (the direct quote carries the attribution).

**Speakers** resolve through the actor stage: the actor whose mention covers the subject's head
(or, failing that, a mention inside the subject phrase) gives ``actor``, ``name``, ``country`` and
``sector``; an office the actor stage resolved as the institution of a person in the article
("X's office said") speaks for that person. Pronoun subjects without an actor link to the last named speaker. An unnamed speaker
without an actor ("British officials", "the press secretary") is kept with the country and sector
the phrase gives through the KB (nationality or country word, organisation, agent noun).
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..config import Settings
from ..errors import LexiconError
from ..kb import KnowledgeBase, load_kb
from ..lookup import MentionIndex
from ..model import Actor, Article, Parse, Quote, Span, Speaker, Token
from ..registry import register_stage
from .base import BaseStage

LOGGER = logging.getLogger(__name__)

__all__ = [
    "SPEECH_VERB_FILE",
    "QuoteSpan",
    "QuoteStage",
    "SpeechLexicon",
    "find_quote_spans",
    "load_speech_lexicon",
]

SPEECH_VERB_FILE = "speech_verbs.yaml"

# opening mark -> closing marks
_DOUBLE_PAIRS: dict[str, str] = {"“": "”", "«": "»", "„": "“”"}
_STRAIGHT_DOUBLE = '"'
_SINGLE_OPEN = "‘"
_SINGLE_CLOSE = "’"
_STRAIGHT_SINGLE = "'"
_OPEN_CONTEXT = " \t\n([{—–-/:;,"
#: every character :func:`_scan_paragraph` reacts to (openers and closers of both kinds)
_QUOTE_MARKS = re.compile(
    "["
    + re.escape(
        _STRAIGHT_DOUBLE + _SINGLE_OPEN + _SINGLE_CLOSE + _STRAIGHT_SINGLE
        + "".join(_DOUBLE_PAIRS) + "".join(_DOUBLE_PAIRS.values())
    )
    + "]"
)  # fmt: skip
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
_CLIMB_DEPS = frozenset({"conj", "advcl", "xcomp", "ccomp", "parataxis", "pcomp", "acl", "relcl"})
_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "him", "her", "them"})
_EXPLETIVES = frozenset({"it", "there", "this", "that", "which", "who"})
_TRIM_CHARS = " \t\n,;:"
#: A direct quote shorter than this many words needs a cue to count (scare quotes otherwise).
MIN_UNCUED_WORDS = 3
#: A continuation quote may follow the previous quote after at most this many words ("said X, the ...").
_MAX_GAP_WORDS = 30
#: A sentence is "only the quote" when at most this many words stand outside its quotes.
_MAX_FRAME_WORDS = 0


# ---------------------------------------------------------------------------------------------
# The cue lexicon
# ---------------------------------------------------------------------------------------------


class _PhraseCue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    words: list[str] = Field(min_length=1)

    @field_validator("words")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        for word in value:
            if not word or word != word.lower() or " " in word:
                raise ValueError(f"phrase words must be single lower-case tokens, got {word!r}")
        return value


class _SpeechFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str = Field(min_length=1)
    source: str = Field(min_length=1)
    license: str = Field(min_length=1)
    known_gaps: str = Field(min_length=1)
    verbs: list[str] = Field(min_length=1)
    phrases: list[_PhraseCue] = Field(default_factory=list)


@dataclass(frozen=True)
class SpeechLexicon:
    """Reporting-verb lemmas (with optional particles) and phrase cues."""

    version: str
    verbs: frozenset[str]
    particle_verbs: frozenset[tuple[str, str]]
    phrases: tuple[tuple[str, ...], ...]

    def is_cue_verb(self, parse: Parse, tok: Token) -> bool:
        if tok.pos not in {"VERB", "AUX"} or tok.dep in {"amod", "compound"}:
            return False
        if tok.lemma in self.verbs:
            return not (tok.lemma == "say" and tok.pos == "AUX")
        if self.particle_verbs:
            for child in parse.children(tok.i):
                particle = parse.tokens[child]
                if (
                    particle.dep == "prt"
                    and (tok.lemma, particle.text.lower()) in self.particle_verbs
                ):
                    return True
        return False


def load_speech_lexicon(path: str | Path | None = None) -> SpeechLexicon:
    """Read and validate the speech-cue file (default: the packaged one).

    Raises:
        LexiconError: naming the file and the line of the offending entry.
    """
    if path is None:
        resource = resources.files("eventwire").joinpath(f"data/lexicon/{SPEECH_VERB_FILE}")
        label, text = str(resource), resource.read_text("utf-8")
    else:
        label = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise LexiconError(f"cannot read: {exc}", path=label) from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LexiconError(
            f"invalid YAML: {exc}", path=label, row=mark.line + 1 if mark else None
        ) from exc
    try:
        data = _SpeechFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise LexiconError(
            f"{loc}: {err['msg']}", path=label, row=_yaml_line(text, err["loc"])
        ) from exc
    verbs: set[str] = set()
    particles: set[tuple[str, str]] = set()
    for number, entry in enumerate(data.verbs):
        words = entry.split()
        if not words or len(words) > 2 or entry != entry.lower():
            raise LexiconError(
                f"verb {entry!r}: expected a lower-case lemma, optionally with one particle",
                path=label,
                row=_yaml_line(text, ("verbs", number)),
            )
        if len(words) == 2:
            particles.add((words[0], words[1]))
        else:
            verbs.add(words[0])
    return SpeechLexicon(
        version=data.version,
        verbs=frozenset(verbs),
        particle_verbs=frozenset(particles),
        phrases=tuple(tuple(p.words) for p in data.phrases),
    )


def _yaml_line(text: str, loc: Sequence[int | str]) -> int | None:
    """Best-effort line number of ``verbs[3]``-style locations in the YAML text."""
    if not loc:
        return None
    section = f"{loc[0]}:"
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith(section):
            if len(loc) > 1 and isinstance(loc[1], int):
                seen = -1
                for offset, item in enumerate(lines[number:], start=number + 1):
                    if item.lstrip().startswith("- ") and item.startswith("  -"):
                        seen += 1
                        if seen == loc[1]:
                            return offset
                    elif item and not item.startswith((" ", "#")):
                        break
            return number
    return None


# ---------------------------------------------------------------------------------------------
# Quote spans
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """Quoted content ``[start, end)`` (marks excluded); ``closed`` is False when the mark was missing."""

    start: int
    end: int
    open_mark: int
    close_mark: int
    closed: bool = True


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def find_quote_spans(
    text: str, paragraphs: Sequence[tuple[int, int]] | None = None
) -> list[QuoteSpan]:
    """Find the direct-quote spans of ``text``, paragraph by paragraph.

    Args:
        text: the article text.
        paragraphs: ``(start, end)`` offsets; a quote never crosses a paragraph boundary (one that
            goes on in the next paragraph re-opens there). ``None`` splits at line breaks.
    Returns:
        the spans in text order, content trimmed of surrounding whitespace and of trailing ``,;:``.
    """
    if paragraphs is None:
        paragraphs = _line_paragraphs(text)
    out: list[QuoteSpan] = []
    for p_start, p_end in paragraphs:
        out.extend(_scan_paragraph(text, p_start, p_end))
    return out


def _line_paragraphs(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _scan_paragraph(text: str, start: int, end: int) -> list[QuoteSpan]:
    out: list[QuoteSpan] = []
    open_at: int | None = None
    closers = ""
    single_at: int | None = None
    single_closers = ""
    # only quotation marks change the state: jump from one to the next
    for mark in _QUOTE_MARKS.finditer(text, start, end):
        i = mark.start()
        ch = text[i]
        prev = text[i - 1] if i > start else " "
        nxt = text[i + 1] if i + 1 < end else " "
        if open_at is None and single_at is None:
            if ch == _STRAIGHT_DOUBLE:
                open_at, closers = i, _STRAIGHT_DOUBLE
            elif ch in _DOUBLE_PAIRS:
                open_at, closers = i, _DOUBLE_PAIRS[ch]
            elif ch == _SINGLE_OPEN and not _is_word(prev):
                single_at, single_closers = i, _SINGLE_CLOSE + _STRAIGHT_SINGLE
            elif (
                ch == _STRAIGHT_SINGLE and (prev in _OPEN_CONTEXT or prev in '“"') and _is_word(nxt)
            ):
                single_at, single_closers = i, _STRAIGHT_SINGLE + _SINGLE_CLOSE
        elif open_at is not None:
            if ch in closers:
                _emit(text, open_at, i, True, out)
                open_at = None
        elif (
            single_at is not None
            and ch in single_closers
            and not prev.isspace()
            and not _is_word(nxt)
        ):
            # "the countries' leaders" inside a single quote would close it early; rare enough.
            _emit(text, single_at, i, True, out)
            single_at = None
    if open_at is not None:
        _emit(text, open_at, end, False, out)
    return out


def _emit(text: str, open_mark: int, close_mark: int, closed: bool, out: list[QuoteSpan]) -> None:
    s, e = open_mark + 1, close_mark
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1] in _TRIM_CHARS:
        e -= 1
    if e > s and any(ch.isalnum() for ch in text[s:e]):
        out.append(
            QuoteSpan(start=s, end=e, open_mark=open_mark, close_mark=close_mark, closed=closed)
        )


# ---------------------------------------------------------------------------------------------
# The stage
# ---------------------------------------------------------------------------------------------


@dataclass
class _Cue:
    token: int
    start: int
    end: int
    text: str
    subject: tuple[int, int] | None  # token range [start, end) of the speaker phrase
    head: int | None  # speaker head token


@dataclass
class _Run:
    """Per-article state."""

    article: Article
    parse: Parse
    index: MentionIndex
    quotes: list[QuoteSpan]
    in_quote: bytearray
    long_quotes: list[QuoteSpan] = field(default_factory=list)


@register_stage("eventwire.quotes.v1", requires=("parse", "actors"), assigns=("quotes",))
class QuoteStage(BaseStage):
    """Extract direct and indirect quotes and attribute them to speakers."""

    name = "quotes"
    requires = ("parse", "actors")
    assigns = ("quotes",)

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        lexicon_path: str | Path | None = None,
        on_error: Literal["raise", "record"] = "record",
    ) -> None:
        super().__init__(on_error=settings.pipeline.on_error if settings else on_error)
        self.lexicon_path = lexicon_path
        self._lexicon: SpeechLexicon | None = None
        self._kb: KnowledgeBase | None = None

    def initialize(self) -> None:
        self._lexicon = load_speech_lexicon(self.lexicon_path)
        self._kb = load_kb()

    @property
    def lexicon(self) -> SpeechLexicon:
        self._ensure_initialized()
        assert self._lexicon is not None
        return self._lexicon

    # -- entry point -------------------------------------------------------------------------

    def process(self, article: Article) -> Article:
        parse = article.parse
        if parse is None or not parse.tokens:
            article.quotes = []
            return article
        paragraphs = [(p.start, p.end) for p in article.paragraphs] or None
        spans = find_quote_spans(article.text, paragraphs)
        in_quote = _tokens_inside(parse, spans)
        run = _Run(
            article=article,
            parse=parse,
            index=MentionIndex.for_article(article),
            quotes=spans,
            in_quote=in_quote,
            long_quotes=[
                q for q in spans if len(article.text[q.start : q.end].split()) >= MIN_UNCUED_WORDS
            ],
        )
        cues = self._cues(run)
        items: list[tuple[int, int, Quote]] = []
        for order, span in enumerate(spans):
            quote = self._direct(run, span, cues)
            if quote is not None:
                items.append((span.start, order, quote))
        items.extend((q.start, len(spans) + n, q) for n, q in enumerate(self._indirect(run, cues)))
        items.sort(key=lambda item: (item[0], item[1]))
        quotes = [q for _, _, q in items]
        self._resolve_context(run, quotes)
        for number, quote in enumerate(quotes, start=1):
            quote.id = f"Q{number}"
        article.quotes = quotes
        return article

    # -- cues ------------------------------------------------------------------------------

    def _cues(self, run: _Run) -> list[_Cue]:
        parse, lex = run.parse, self.lexicon
        cues: list[_Cue] = []
        for tok in parse.tokens:
            if run.in_quote[tok.i] or not lex.is_cue_verb(parse, tok):
                continue
            subject = self._subject_of(run, tok.i)
            cues.append(
                _Cue(
                    token=tok.i,
                    start=tok.start,
                    end=tok.end,
                    text=tok.text,
                    subject=subject[0] if subject else None,
                    head=subject[1] if subject else None,
                )
            )
        return cues

    def _subject_of(self, run: _Run, verb: int) -> tuple[tuple[int, int], int] | None:
        """The subject phrase (token range) and head of ``verb``, climbing through coordination."""
        parse = run.parse
        current = verb
        for _ in range(6):
            for child in parse.children(current):
                tok = parse.tokens[child]
                if tok.dep in _SUBJECT_DEPS and not run.in_quote[child]:
                    return self._phrase(run, child), child
            tok = parse.tokens[current]
            if tok.dep not in _CLIMB_DEPS or tok.head == current:
                return None
            current = tok.head
        return None

    def _phrase(self, run: _Run, head: int) -> tuple[int, int]:
        """Token range of the phrase headed by ``head``, cut at commas, quotes and clauses."""
        parse = run.parse
        tokens = [i for i in parse.subtree(head) if not run.in_quote[i]]
        # Drop appositions and relative clauses set off by commas ("X, who ..., said").
        lo, hi = head, head
        members = set(tokens)
        while lo - 1 in members and parse.tokens[lo - 1].text not in {",", "—", "–", "("}:
            lo -= 1
        while hi + 1 in members and parse.tokens[hi + 1].text not in {",", "—", "–", "("}:
            hi += 1
        while lo < hi and parse.tokens[lo].pos == "PUNCT":
            lo += 1
        while hi > lo and parse.tokens[hi].pos == "PUNCT":
            hi -= 1
        return lo, hi + 1

    # -- direct quotes -----------------------------------------------------------------------

    def _direct(self, run: _Run, span: QuoteSpan, cues: list[_Cue]) -> Quote | None:
        parse = run.parse
        text = run.article.text
        first = parse.sentence_at(span.start)
        last = parse.sentence_at(max(span.end - 1, span.start))
        if first is None or last is None:
            return None
        sents = set(range(first, last + 1))
        # "X said: “...”" -- the cue sits in the previous sentence when it ends with a colon.
        before = text[: span.open_mark].rstrip()
        if (
            first > 0
            and before.endswith(":")
            and self._same_paragraph(run, before_end=len(before), at=span.start)
        ):
            sents.add(first - 1)
        # The frame sentence can also end right after the quote ("“...” he said." split apart).
        nxt = last + 1
        if nxt < len(parse.sentences) and self._same_paragraph(
            run, before_end=span.end, at=parse.sentences[nxt].start
        ):
            nxt_sent = parse.sentences[nxt]
            between = text[span.close_mark + 1 : nxt_sent.start] if span.closed else ""
            if span.closed and not between.strip(" ,") and nxt_sent.text[:1].islower():
                sents.add(nxt)
        p_start, p_end = _paragraph_of(run.article, span.start)
        candidates = [
            c for c in cues if parse.tokens[c.token].sent in sents and p_start <= c.start < p_end
        ]
        candidates = [c for c in candidates if not self._belongs_to_other_quote(run, c, span)]
        words = len(text[span.start : span.end].split())
        if words < MIN_UNCUED_WORDS:
            # scare quotes and quoted terms: the clause around them is the (indirect) quote
            return None
        if candidates:
            cue = min(candidates, key=lambda c: _distance(c, span))
            speaker = self._speaker(run, cue)
            return Quote(
                id="",
                text=text[span.start : span.end],
                start=span.start,
                end=span.end,
                direct=True,
                speaker=speaker,
                cue=Span(text=cue.text, start=cue.start, end=cue.end),
                reason=f"direct: cue {cue.text!r}"
                + ("" if span.closed else ", closing mark missing"),
            )
        reason = "direct: no cue"
        if self._only_quote(run, span, first, last):
            reason = "direct: continuation"
        return Quote(
            id="",
            text=text[span.start : span.end],
            start=span.start,
            end=span.end,
            direct=True,
            speaker=None,
            cue=None,
            reason=reason + ("" if span.closed else ", closing mark missing"),
        )

    def _same_paragraph(self, run: _Run, *, before_end: int, at: int) -> bool:
        return "\n" not in run.article.text[min(before_end, at) : max(before_end, at)]

    def _belongs_to_other_quote(self, run: _Run, cue: _Cue, span: QuoteSpan) -> bool:
        """True when another quote lies between the cue and ``span`` and the cue is closer to it.

        "“A,” she said. “B”" -- the cue belongs to A; B is a continuation.
        """
        for other in run.quotes:
            if other is span:
                continue
            if cue.start >= span.end and span.end <= other.start < cue.start:
                return True
            if cue.end <= span.start and cue.end <= other.start and other.end <= span.start:
                # a quote sits between a preceding cue and this one: "X said: “A”. “B”"
                # A colon cue introduces everything up to the end of the paragraph.
                return not run.article.text[cue.end : other.open_mark].strip().endswith(":")
        return False

    def _only_quote(self, run: _Run, span: QuoteSpan, first: int, last: int) -> bool:
        """Whether the words outside quotes in the quote's sentences are at most a few."""
        parse = run.parse
        outside = 0
        for s in range(first, last + 1):
            for tok in parse.sentence_tokens(s):
                if not run.in_quote[tok.i] and tok.pos not in {"PUNCT", "SPACE"}:
                    outside += 1
        return outside <= _MAX_FRAME_WORDS

    # -- indirect quotes ---------------------------------------------------------------------

    def _indirect(self, run: _Run, cues: list[_Cue]) -> list[Quote]:
        parse = run.parse
        text = run.article.text
        out: list[Quote] = []
        for cue in cues:
            for child in parse.children(cue.token):
                tok = parse.tokens[child]
                if tok.dep != "ccomp" or run.in_quote[child]:
                    continue
                ids = [i for i in parse.subtree(child) if i != cue.token]
                start_i, end_i = ids[0], ids[-1]
                while start_i <= end_i and (
                    parse.tokens[start_i].dep == "mark" or parse.tokens[start_i].pos == "PUNCT"
                ):
                    start_i += 1
                while end_i >= start_i and parse.tokens[end_i].pos == "PUNCT":
                    end_i -= 1
                if end_i - start_i + 1 < 3:
                    continue
                start, end = _balance(text, parse.tokens[start_i].start, parse.tokens[end_i].end)
                if _overlaps_any(start, end, run.long_quotes):
                    continue
                out.append(
                    Quote(
                        id="",
                        text=text[start:end],
                        start=start,
                        end=end,
                        direct=False,
                        speaker=self._speaker(run, cue),
                        cue=Span(text=cue.text, start=cue.start, end=cue.end),
                        reason=f"indirect: complement of {cue.text!r}",
                    )
                )
        out.extend(self._according_to(run))
        return out

    def _according_to(self, run: _Run) -> list[Quote]:
        parse = run.parse
        text = run.article.text
        out: list[Quote] = []
        for phrase in self.lexicon.phrases:
            n = len(phrase)
            for tok in parse.tokens:
                i = tok.i
                if tok.text.lower() != phrase[0] or run.in_quote[i] or i + n > len(parse.tokens):
                    continue
                if any(parse.tokens[i + k].text.lower() != phrase[k] for k in range(n)):
                    continue
                last = i + n - 1
                objs = [c for c in parse.children(last) if parse.tokens[c].dep == "pobj"]
                if not objs:
                    continue
                s_lo, s_hi = self._phrase(run, objs[0])
                sent = parse.sentences[tok.sent]
                # content: the larger side of the sentence outside "according to X"
                left = (sent.start, parse.tokens[i].start)
                right = (parse.tokens[s_hi - 1].end, sent.end)
                lo, hi = max((left, right), key=lambda r: r[1] - r[0])
                while lo < hi and text[lo] in " ,;:":
                    lo += 1
                while hi > lo and text[hi - 1] in " ,;:.":
                    hi -= 1
                if len(text[lo:hi].split()) < 3 or _overlaps_any(lo, hi, run.long_quotes):
                    continue
                cue = _Cue(
                    token=i,
                    start=parse.tokens[i].start,
                    end=parse.tokens[last].end,
                    text=text[parse.tokens[i].start : parse.tokens[last].end],
                    subject=(s_lo, s_hi),
                    head=objs[0],
                )
                out.append(
                    Quote(
                        id="",
                        text=text[lo:hi],
                        start=lo,
                        end=hi,
                        direct=False,
                        speaker=self._speaker(run, cue),
                        cue=Span(text=cue.text, start=cue.start, end=cue.end),
                        reason=f"indirect: {cue.text!r}",
                    )
                )
        return out

    # -- speakers ----------------------------------------------------------------------------

    def _speaker(self, run: _Run, cue: _Cue) -> Speaker | None:
        if cue.subject is None or cue.head is None:
            return None
        parse, text = run.parse, run.article.text
        lo, hi = cue.subject
        head = parse.tokens[cue.head]
        start, end = parse.tokens[lo].start, parse.tokens[hi - 1].end
        span_text = text[start:end]
        if head.text.lower() in _EXPLETIVES and hi - lo == 1:
            return None
        actor = self._actor_for(run, cue.head, start, end)
        if actor is not None:
            actor = _person_behind(run.article.actors, actor)
            return Speaker(
                actor=actor.id,
                name=actor.name,
                text=span_text,
                start=start,
                end=end,
                country=actor.country,
                sector=actor.sector,
            )
        if head.text.lower() in _PRONOUNS and hi - lo == 1:
            # resolved later from context (see _resolve_context)
            return Speaker(text=span_text, start=start, end=end)
        country, sector = self._phrase_codes(run, lo, hi, cue.head)
        name = self._proper_name(run, lo, hi, cue.head)
        return Speaker(
            name=name,
            text=span_text,
            start=start,
            end=end,
            country=country,
            sector=sector,
        )

    def _actor_for(self, run: _Run, head: int, start: int, end: int) -> Actor | None:
        tok = run.parse.tokens[head]
        found = run.index.at(tok.start)
        if found is not None:
            return found[0]
        inside = [
            (a, m)
            for a, m in run.index.overlapping(start, end)
            if m.start >= start and m.end <= end
        ]
        if not inside:
            return None
        people = [pair for pair in inside if pair[0].type in {"person", "agent"}]
        # the mention closest to the head is the most likely speaker ("Starmer's press secretary"
        # has no mention at "secretary"; Starmer is then context, not the speaker)
        pool = people or inside
        actor, mention = min(pool, key=lambda p: abs(p[1].end - tok.end))
        if mention.end <= tok.start and run.parse.tokens[head].pos == "NOUN":
            return None
        return actor

    def _phrase_codes(
        self, run: _Run, lo: int, hi: int, head: int
    ) -> tuple[str | None, str | None]:
        """Country and sector that an unresolved speaker phrase gives through the KB."""
        kb = self._kb
        if kb is None:
            return None, None
        parse = run.parse
        country: str | None = None
        sector: str | None = None
        for i in range(lo, hi):
            tok = parse.tokens[i]
            if i == head:
                continue
            found = run.index.at(tok.start)
            if found is not None and found[0].country and country is None:
                country = found[0].country
                continue
            entry = kb.country_by_name(tok.text)
            if entry is not None and country is None:
                country = entry.code
        words = [parse.tokens[i].text for i in range(lo, head + 1)]
        for k in range(len(words)):
            agent = kb.agent(" ".join(words[k:]))
            if agent is not None:
                sector = agent.sector
                break
        if sector is None:
            agent = kb.agent(parse.tokens[head].lemma)
            if agent is not None:
                sector = agent.sector
        return country, sector

    @staticmethod
    def _proper_name(run: _Run, lo: int, hi: int, head: int) -> str | None:
        parse = run.parse
        if parse.tokens[head].pos != "PROPN":
            return None
        i = head
        while (
            i - 1 >= lo
            and parse.tokens[i - 1].pos == "PROPN"
            and parse.tokens[i - 1].dep == "compound"
        ):
            i -= 1
        return run.article.text[parse.tokens[i].start : parse.tokens[head].end]

    # -- context -----------------------------------------------------------------------------

    def _resolve_context(self, run: _Run, quotes: list[Quote]) -> None:
        """Pronoun speakers and continuation quotes take the last named speaker."""
        last: Speaker | None = None
        last_quote: Quote | None = None
        text = run.article.text
        for quote in quotes:
            sp = quote.speaker
            if sp is not None and sp.text.lower() in _PRONOUNS:
                if last is not None:
                    quote.speaker = last.model_copy(
                        update={"text": sp.text, "start": sp.start, "end": sp.end}
                    )
                    quote.reason += f"; pronoun -> {last.name or last.text}"
            elif (
                sp is None
                and quote.direct
                and quote.reason.startswith("direct: continuation")
                and last is not None
                and last_quote is not None
                and last_quote.direct
                and _adjacent(text, last_quote, quote)
            ):
                quote.speaker = last.model_copy()
                quote.reason += f" of {last.name or last.text}"
            if quote.speaker is not None:
                last = quote.speaker
            last_quote = quote


_INSTITUTION_PREFIX = "institution-of-person:"


def _person_behind(actors: Sequence[Actor], actor: Actor) -> Actor:
    """The person an office stands for ("X's office said" speaks for X), when the actor stage
    resolved the speaker as the institution of a person named in the article."""
    if not actor.reason.startswith(_INSTITUTION_PREFIX):
        return actor
    ref = actor.reason[len(_INSTITUTION_PREFIX) :]
    for other in actors:
        if other.type == "person" and ref in {other.kb_id, other.name}:
            return other
    return actor


def _adjacent(text: str, previous: Quote, quote: Quote) -> bool:
    """No other paragraph of prose lies between two quotes (at most one paragraph break)."""
    between = text[previous.end : quote.start]
    return between.count("\n") <= 2 and len(between.split()) <= _MAX_GAP_WORDS


_OPENERS = '“‘«„"'
_CLOSERS = '”’»“"'


def _balance(text: str, start: int, end: int) -> tuple[int, int]:
    """Keep the quote marks of a partial quote at either edge of an indirect quote."""
    inner = text[start:end]
    if start > 0 and text[start - 1] in _OPENERS and any(c in inner for c in _CLOSERS):
        start -= 1
    elif end < len(text) and text[end] in _CLOSERS and any(c in inner for c in _OPENERS):
        end += 1
    return start, end


def _paragraph_of(article: Article, char: int) -> tuple[int, int]:
    for para in article.paragraphs:
        if para.start <= char < para.end:
            return para.start, para.end
    return 0, len(article.text)


def _tokens_inside(parse: Parse, spans: Sequence[QuoteSpan]) -> bytearray:
    """1 for every token that starts inside a quotation (marks included), else 0."""
    inside = bytearray(len(parse.tokens))
    starts = [tok.start for tok in parse.tokens]
    for span in spans:
        lo = bisect.bisect_left(starts, span.open_mark)
        hi = bisect.bisect_left(starts, max(span.close_mark + 1, span.end))
        if hi > lo:
            inside[lo:hi] = b"\x01" * (hi - lo)
    return inside


def _overlaps_any(start: int, end: int, spans: Sequence[QuoteSpan]) -> bool:
    return any(s.start < end and start < s.end for s in spans)


def _distance(cue: _Cue, span: QuoteSpan) -> int:
    if cue.start >= span.end:
        return cue.start - span.end
    if cue.end <= span.start:
        return span.start - cue.end
    return 0

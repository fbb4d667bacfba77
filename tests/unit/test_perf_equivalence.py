"""The fast paths of the pipeline equal the plain ones they replace.

``doc_to_parse`` converts a spaCy ``Doc`` column-wise and derives sentences, entities and noun
chunks from arrays; :func:`reference_parse` below is the straightforward conversion through
spaCy's own objects (``Token``, ``Doc.sents``, ``Doc.ents``, ``Doc.noun_chunks``, ``Span.root``).
The two must agree field for field, on texts with the constructions that stress each path
(non-projective attachments, coordinated nouns, entities at the edges, empty lemmas, long runs).
"""

from __future__ import annotations

from dataclasses import astuple
from typing import TYPE_CHECKING, Any

import pytest

from eventwire.model import Entity, NounChunk, Parse, Sentence, Token
from eventwire.stages.nlp import _break_long_runs, doc_to_parse, load_spacy

if TYPE_CHECKING:
    from spacy.tokens import Doc


def reference_parse(doc: Doc, model: str = "") -> Parse:
    """The per-token conversion through spaCy's Python objects (slow, obviously right)."""
    sent_of = [0] * len(doc)
    sentences: list[Sentence] = []
    for k, sent in enumerate(doc.sents):
        for i in range(sent.start, sent.end):
            sent_of[i] = k
        sentences.append(
            Sentence(k, sent.start_char, sent.end_char, sent.text, sent.start, sent.end)
        )
    tokens = [
        Token(
            i=tok.i,
            text=tok.text,
            start=tok.idx,
            end=tok.idx + len(tok.text),
            lemma=tok.lemma_.lower() or tok.text.lower(),
            pos=tok.pos_,
            tag=tok.tag_,
            dep=tok.dep_,
            head=tok.head.i,
            sent=sent_of[tok.i],
            ent_type=tok.ent_type_,
            ent_iob=tok.ent_iob_ or "O",
            morph=str(tok.morph),
        )
        for tok in doc
    ]
    entities = [
        Entity(e.label_, e.text, e.start_char, e.end_char, e.start, e.end, sent_of[e.start])
        for e in doc.ents
    ]
    chunks = [
        NounChunk(
            nc.text, nc.start_char, nc.end_char, nc.start, nc.end, nc.root.i, sent_of[nc.start]
        )
        for nc in doc.noun_chunks
    ]
    return Parse(tokens=tokens, sentences=sentences, entities=entities, noun_chunks=chunks, model=model)


def assert_same_parse(fast: Parse, slow: Parse) -> None:
    assert [astuple(t) for t in fast.tokens] == [astuple(t) for t in slow.tokens]
    assert [astuple(s) for s in fast.sentences] == [astuple(s) for s in slow.sentences]
    assert [astuple(e) for e in fast.entities] == [astuple(e) for e in slow.entities]
    assert [astuple(c) for c in fast.noun_chunks] == [astuple(c) for c in slow.noun_chunks]
    assert fast.model == slow.model


TEXTS = [
    # entities at the very start and end, possessives, curly quotes, a dash, paragraphs
    "Britain’s Foreign Secretary met JD Vance in Washington on Saturday. "
    "“We can go on,” he said — and Kyiv wasn't told.\n\nIt ended in Paris",
    # coordinated subjects and objects (conj chains), appositions, pronouns
    "Germany, France and the United Kingdom, three allies of Ukraine, condemned the strikes and "
    "the killing of civilians; they and their partners demanded talks with Moscow and Beijing.",
    # a relative clause and a fronted object: the left edge reaches over other phrases
    "The ceasefire that the two governments signed last week in Doha was broken by militias, "
    "which officials in Khartoum said had been armed by a neighbour whom they did not name.",
    # headlines, numbers, symbols, a URL and a long run of punctuation broken by the stage
    "BREAKING: 3,400 troops @ border!!! See https://example.org/a?b=c " + "&" * 80 + " More later",
    # one word; whitespace-only tokens between paragraphs
    "Peace.\n\n\n   \n",
]


@pytest.fixture(scope="module")
def nlp() -> Any:
    return load_spacy()


@pytest.mark.slow
@pytest.mark.parametrize("text", TEXTS)
def test_perf_fast_parse_equals_reference(nlp: Any, text: str) -> None:
    doc = nlp(_break_long_runs(text))
    assert_same_parse(doc_to_parse(doc, "m"), reference_parse(doc, "m"))


@pytest.mark.slow
def test_perf_fast_parse_equals_reference_in_batch(nlp: Any) -> None:
    """As the NLP stage parses: ``nlp.pipe`` inside a memory zone (strings are freed after it)."""
    with nlp.memory_zone():
        docs = list(nlp.pipe([_break_long_runs(t) for t in TEXTS * 2], batch_size=4))
        for doc in docs:
            assert_same_parse(doc_to_parse(doc), reference_parse(doc))


@pytest.mark.slow
def test_perf_string_caches_across_documents_and_their_bound(
    nlp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hash -> string caches outlive a document and its memory zone (a hash always names the
    same string), hold "_" as a token's text apart from "_" as an empty analysis, and are emptied
    past their limit."""
    import eventwire.stages.nlp as nlp_module

    monkeypatch.setattr(nlp_module, "STRING_CACHE_LIMIT", 50)
    texts = [_break_long_runs(t) for t in TEXTS] + ["Use the _ key, said Ms. O'Neill."]
    for _ in range(2):  # the second pass reads every string from the caches
        for text in texts:
            with nlp.memory_zone():
                doc = nlp(text)
                assert_same_parse(doc_to_parse(doc), reference_parse(doc))
            # emptied before a document once past the limit: at most one document's strings more
            # (texts and labels), where all texts together hold several hundred
            for cache in (nlp_module._STRINGS, nlp_module._MORPHS, nlp_module._LOWER_LEMMAS):
                assert len(cache) <= 50 + 2 * len(doc) + 60
    underscore = doc_to_parse(nlp("Use the _ key."))
    assert [t.text for t in underscore.tokens][2] == "_"


@pytest.mark.slow
def test_perf_fast_parse_handles_non_projective_chunks(nlp: Any) -> None:
    """A chunk whose tokens do not all hang below its noun takes spaCy's ``Span.root``."""
    from spacy.tokens import Doc

    words = ["the", "big", "dog", "barked", "loudly"]
    # "big" attaches to the verb across "dog": the chunk the..dog is not a subtree of "dog"
    doc = Doc(
        nlp.vocab,
        words=words,
        heads=[2, 3, 3, 3, 3],
        deps=["det", "advmod", "nsubj", "ROOT", "advmod"],
        pos=["DET", "ADJ", "NOUN", "VERB", "ADV"],
    )
    fast, slow = doc_to_parse(doc), reference_parse(doc)
    assert_same_parse(fast, slow)
    assert [(c.tok_start, c.tok_end) for c in fast.noun_chunks] == [(0, 3)]


def test_perf_fast_parse_without_model() -> None:
    """Hand-built docs (no model): entities with I continuations, empty lemmas, a custom label."""
    import spacy
    from spacy.tokens import Doc, Span

    vocab = spacy.blank("en").vocab
    doc = Doc(
        vocab,
        words=["The", "United", "Nations", "and", "Kenya", "met", "in", "New", "York", "."],
        spaces=[True, True, True, True, True, True, True, True, False, False],
        heads=[2, 2, 5, 2, 2, 5, 5, 8, 6, 5],
        deps=["det", "compound", "nsubj", "cc", "conj", "ROOT", "prep", "compound", "pobj", "punct"],
        pos=["DET", "PROPN", "PROPN", "CCONJ", "PROPN", "VERB", "ADP", "PROPN", "PROPN", "PUNCT"],
        lemmas=["the", "United", "", "and", "Kenya", "meet", "in", "New", "York", "."],
        morphs=["", "Number=Sing", "", "", "", "Tense=Past", "", "", "", ""],
    )
    doc.ents = [
        Span(doc, 0, 3, label="ORG"),
        Span(doc, 4, 5, label="GPE"),
        Span(doc, 7, 9, label="MY_PLACE"),
    ]
    fast = doc_to_parse(doc, "x")
    assert_same_parse(fast, reference_parse(doc, "x"))
    assert [(e.label, e.text) for e in fast.entities] == [
        ("ORG", "The United Nations"),
        ("GPE", "Kenya"),
        ("MY_PLACE", "New York"),
    ]
    assert fast.tokens[2].lemma == "nations"  # no lemma: the lower-cased text
    assert fast.tokens[1].morph == "Number=Sing" and fast.tokens[0].morph == ""
    assert [(c.text, c.root) for c in fast.noun_chunks] == [
        ("The United Nations", 2),
        ("Kenya", 4),
        ("New York", 8),
    ]

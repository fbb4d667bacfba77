"""The document model: ids, paragraphs, JSON round trips (hypothesis), the document contract."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventwire.model import (
    DOCUMENT_KEYS,
    Actor,
    Article,
    Cameo,
    Event,
    EventArg,
    Flag,
    Location,
    Mention,
    Parse,
    Place,
    Plover,
    Quote,
    Sentence,
    Span,
    Speaker,
    StageErrorRecord,
    Token,
    Tone,
    article_id,
    split_paragraphs,
)

text_st = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
opt_text = st.none() | text_st
code_st = st.sampled_from(["GBR", "USA", "UKR", "RUS", None])
offset_st = st.integers(min_value=0, max_value=10_000)
score_st = st.floats(min_value=-10, max_value=10, allow_nan=False)

mention_st = st.builds(Mention, text=text_st, start=offset_st, end=offset_st, sentence=st.none() | offset_st)
actor_st = st.builds(
    Actor,
    id=text_st,
    name=text_st,
    kb_id=opt_text,
    type=st.sampled_from(["person", "country", "organization", "group", "agent"]),
    country=code_st,
    org=st.sampled_from(["EU", "NATO", None]),
    sector=st.sampled_from(["GOV", "MIL", None]),
    role=opt_text,
    resolved=st.booleans(),
    confidence=st.floats(min_value=0, max_value=1),
    reason=text_st,
    mentions=st.lists(mention_st, max_size=3),
)
arg_st = st.builds(EventArg, actor=opt_text, text=text_st, start=offset_st, end=offset_st, country=code_st)
event_st = st.builds(
    Event,
    id=text_st,
    group=opt_text,
    sentence=offset_st,
    source=arg_st,
    target=st.none() | arg_st,
    plover=st.builds(Plover, type=st.sampled_from(["AGREE", "REJECT"]), mode=opt_text, context=st.lists(text_st, max_size=2)),
    cameo=st.builds(Cameo, code=st.sampled_from(["0334", "1222", "046"]), root=st.sampled_from(["03", "12", "04"])),
    goldstein=st.none() | score_st,
    quad_class=st.none() | st.integers(1, 4),
    modality=st.sampled_from(["asserted", "intent", "conditional", "hypothetical", "negated", "question"]),
    date=st.none() | st.dates().map(lambda d: d.isoformat()),
    location=st.none() | st.builds(Location, name=text_st, country=code_st, lat=st.none() | score_st, lon=st.none() | score_st),
    trigger=st.builds(Span, text=text_st, start=offset_st, end=offset_st),
    confidence=st.floats(min_value=0, max_value=1),
    reason=text_st,
)
quote_st = st.builds(
    Quote,
    id=text_st,
    text=text_st,
    start=offset_st,
    end=offset_st,
    direct=st.booleans(),
    speaker=st.none() | st.builds(Speaker, actor=opt_text, name=opt_text, text=text_st, start=offset_st, end=offset_st),
)
place_st = st.builds(Place, id=text_st, name=text_st, country=code_st, lat=st.none() | score_st, geonameid=st.none() | offset_st)
tz_st = st.none() | st.integers(-12, 14).map(lambda h: timezone(timedelta(hours=h)))
published_st = st.none() | st.builds(
    lambda dt, tz: dt.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
    tz_st,
)
article_st = st.builds(
    Article,
    id=text_st,
    source=text_st,
    source_id=opt_text,
    title=opt_text,
    text=text_st,
    published=published_st,
    url=opt_text,
    image_url=opt_text,
    language=opt_text,
    flags=st.lists(st.builds(Flag, name=text_st, detail=opt_text), max_size=3),
    actors=st.lists(actor_st, max_size=3),
    events=st.lists(event_st, max_size=3),
    quotes=st.lists(quote_st, max_size=2),
    places=st.lists(place_st, max_size=2),
    tone=st.builds(Tone, compound=st.floats(-1, 1), average_tone=st.floats(-100, 100)),
    errors=st.lists(st.builds(StageErrorRecord, stage=text_st, reason=text_st), max_size=2),
)


@given(article_st)
@settings(max_examples=150, deadline=None)
def test_model_json_roundtrip_is_exact(article: Article) -> None:
    again = Article.model_validate_json(article.model_dump_json())
    assert again == article
    doc = article.to_document()
    back = Article.from_document(json.loads(json.dumps(doc)))
    assert back == article


@given(article_st)
@settings(max_examples=50, deadline=None)
def test_model_document_has_contract_keys(article: Article) -> None:
    doc = article.to_document()
    assert list(doc)[: len(DOCUMENT_KEYS)] == list(DOCUMENT_KEYS)
    assert "parse" not in doc
    if article.published is not None:
        assert datetime.fromisoformat(doc["published"]) == article.published


def test_model_parse_is_not_serialised() -> None:
    article = Article.create("Hello world.", title="T")
    article.parse = Parse(tokens=[Token(0, "Hello", 0, 5, "hello", "INTJ", "UH", "ROOT", 0, 0)])
    assert "parse" not in article.model_dump_json()
    assert Article.model_validate_json(article.model_dump_json()).parse is None


def test_model_article_id_is_stable_over_whitespace_and_case() -> None:
    a = article_id("Title", "Troops  were\nsent.")
    assert a == article_id("Other title", "troops were sent.")
    assert a != article_id("Title", "Troops were not sent.")
    assert len(a) == 16
    assert article_id("Only a title", "") == article_id("only  a title", "   ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One.\nTwo.", ["One.", "Two."]),
        ("One.\n\n\n  Two.  \n", ["One.", "Two."]),
        ("", []),
        ("  single  ", ["single"]),
    ],
)
def test_model_split_paragraphs_offsets(text: str, expected: list[str]) -> None:
    paras = split_paragraphs(text)
    assert [text[p.start : p.end] for p in paras] == expected


@given(st.lists(st.text(alphabet="abc .,", min_size=1, max_size=20), max_size=6))
def test_model_paragraph_offsets_point_into_text(parts: list[str]) -> None:
    text = "\n".join(parts)
    for p in split_paragraphs(text):
        chunk = text[p.start : p.end]
        assert chunk == chunk.strip() and chunk
        assert "\n" not in chunk


def test_model_parse_helpers() -> None:
    toks = [
        Token(0, "Britain", 0, 7, "britain", "PROPN", "NNP", "nsubj", 1, 0),
        Token(1, "sent", 8, 12, "send", "VERB", "VBD", "ROOT", 1, 0),
        Token(2, "troops", 13, 19, "troop", "NOUN", "NNS", "dobj", 1, 0),
        Token(3, ".", 19, 20, ".", "PUNCT", ".", "punct", 1, 0),
        Token(4, "Fine", 21, 25, "fine", "ADJ", "JJ", "ROOT", 4, 1),
    ]
    parse = Parse(
        tokens=toks,
        sentences=[Sentence(0, 0, 20, "Britain sent troops.", 0, 4), Sentence(1, 21, 25, "Fine", 4, 5)],
    )
    assert parse.children(1) == [0, 2, 3]
    assert list(parse.subtree(1)) == [0, 1, 2, 3]
    assert parse.sentence_at(14) == 0
    assert parse.sentence_at(22) == 1
    assert parse.sentence_at(20) is None
    assert [t.text for t in parse.sentence_tokens(1)] == ["Fine"]


def test_model_flags_are_unique() -> None:
    article = Article.create("x y z", title="t")
    article.add_flag("headline_mismatch", "d", 0.1)
    article.add_flag("headline_mismatch", "again")
    assert [f.name for f in article.flags] == ["headline_mismatch"]
    assert article.has_flag("headline_mismatch")
    assert not article.has_flag("non_english")


def test_model_document_records_versions() -> None:
    article = Article.create("Text.", title="t")
    article.versions["lexicon"] = "2026.11.1"
    doc = article.to_document()
    assert doc["versions"] == {"lexicon": "2026.11.1"}
    assert Article.from_document(json.loads(json.dumps(doc))).versions == {"lexicon": "2026.11.1"}

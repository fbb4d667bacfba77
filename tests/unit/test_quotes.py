"""Unit tests of the quotes stage: quote-span scanning, the cue lexicon, attribution on hand-built parses."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventwire.errors import LexiconError
from eventwire.model import Actor, Article, Mention, Parse, Sentence, Token
from eventwire.stages.quotes import QuoteStage, find_quote_spans, load_speech_lexicon

# (text, pos, dep, head offset relative to the token, lemma or None)
Spec = tuple[str, str, str, int, str | None]


def build(specs: list[Spec], *, sentence_breaks: tuple[int, ...] = ()) -> tuple[str, Parse]:
    """Article text and a hand-made parse; tokens are joined with single spaces except before
    punctuation and after opening quote marks."""
    text = ""
    tokens: list[Token] = []
    for i, (word, pos, dep, head, lemma) in enumerate(specs):
        glue = not text or word in {",", ".", ":", "”", "?"} or text.endswith("“")
        if not glue:
            text += " "
        start = len(text)
        text += word
        tokens.append(
            Token(
                i=i,
                text=word,
                start=start,
                end=len(text),
                lemma=lemma or word.lower(),
                pos=pos,
                tag="",
                dep=dep,
                head=i + head,
                sent=0,
            )
        )
    bounds = [0, *sentence_breaks, len(tokens)]
    sentences = []
    for k in range(len(bounds) - 1):
        lo, hi = bounds[k], bounds[k + 1]
        for tok in tokens[lo:hi]:
            tok.sent = k
        sentences.append(
            Sentence(
                index=k,
                start=tokens[lo].start,
                end=tokens[hi - 1].end,
                text=text[tokens[lo].start : tokens[hi - 1].end],
                tok_start=lo,
                tok_end=hi,
            )
        )
    return text, Parse(tokens=tokens, sentences=sentences)


def article_for(text: str, parse: Parse, actors: list[Actor] | None = None) -> Article:
    article = Article.create(text)
    article.parse = parse
    article.actors = actors or []
    return article


# “We will win,” the minister said.
MINISTER_AFTER: list[Spec] = [
    ("“", "PUNCT", "punct", 6, None),
    ("We", "PRON", "nsubj", 2, None),
    ("will", "AUX", "aux", 1, None),
    ("win", "VERB", "ccomp", 4, None),
    (",", "PUNCT", "punct", 3, None),
    ("”", "PUNCT", "punct", 2, None),
    ("the", "DET", "det", 1, None),
    ("minister", "NOUN", "nsubj", 1, None),
    ("said", "VERB", "ROOT", 0, "say"),
    (".", "PUNCT", "punct", -1, None),
]


@pytest.fixture(scope="module")
def stage() -> QuoteStage:
    s = QuoteStage(on_error="raise")
    s.initialize()
    s._initialized = True
    return s


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "we will win" today.', ["we will win"]),
        ("He said “we will win” today.", ["we will win"]),
        ("He said ‘we will win’ today.", ["we will win"]),
        ("He said «we will win» today.", ["we will win"]),
        ("He said „wir schaffen das“ today.", ["wir schaffen das"]),
        ("The G7 'has more cards to play', he said.", ["has more cards to play"]),
        ("“First part,” he said, “second part.”", ["First part", "second part."]),
        ("The countries’ leaders don’t agree.", []),
        ("“It is ‘unacceptable’ to us,” she said.", ["It is ‘unacceptable’ to us"]),
        ("She said: “The quote goes on to the end", ["The quote goes on to the end"]),
        ("It's the '90s again.", []),
    ],
)
def test_quotes_find_spans_styles(text: str, expected: list[str]) -> None:
    spans = find_quote_spans(text)
    assert [text[s.start : s.end] for s in spans] == expected


def test_quotes_find_spans_paragraph_resets_and_flags_missing_close() -> None:
    text = "“First paragraph without a close\n“Second paragraph,” she said."
    spans = find_quote_spans(text)
    assert [text[s.start : s.end] for s in spans] == [
        "First paragraph without a close",
        "Second paragraph",
    ]
    assert [s.closed for s in spans] == [False, True]


def test_quotes_lexicon_loads_verbs_and_particles() -> None:
    lex = load_speech_lexicon()
    assert {"say", "tell", "insist", "warn", "acknowledge", "signal"} <= lex.verbs
    assert ("point", "out") in lex.particle_verbs
    assert ("according", "to") in lex.phrases


def test_quotes_lexicon_bad_verb_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "verbs.yaml"
    bad.write_text(
        "version: '1'\nsource: test\nlicense: CC0\nknown_gaps: none\nverbs:\n  - say\n  - Told Them Off\n",
        encoding="utf-8",
    )
    with pytest.raises(LexiconError) as info:
        load_speech_lexicon(bad)
    assert str(bad) in str(info.value)
    assert info.value.row == 7


def test_quotes_lexicon_missing_header_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "verbs.yaml"
    bad.write_text("verbs:\n  - say\n", encoding="utf-8")
    with pytest.raises(LexiconError):
        load_speech_lexicon(bad)


def test_quotes_direct_quote_speaker_after(stage: QuoteStage) -> None:
    text, parse = build(MINISTER_AFTER)
    article = stage(article_for(text, parse))
    assert len(article.quotes) == 1
    quote = article.quotes[0]
    assert (quote.id, quote.text, quote.direct) == ("Q1", "We will win", True)
    assert text[quote.start : quote.end] == "We will win"
    assert quote.speaker is not None and quote.speaker.text == "the minister"
    assert quote.cue is not None and quote.cue.text == "said"


def test_quotes_speaker_takes_actor_codes_from_mention(stage: QuoteStage) -> None:
    text, parse = build(MINISTER_AFTER)
    start = text.index("the minister")
    actor = Actor(
        id="A1",
        name="Defence minister",
        type="agent",
        country="FRA",
        sector="GOV",
        mentions=[Mention(text="the minister", start=start, end=start + 12)],
    )
    article = stage(article_for(text, parse, [actor]))
    speaker = article.quotes[0].speaker
    assert speaker is not None
    assert (speaker.actor, speaker.name, speaker.country, speaker.sector) == (
        "A1",
        "Defence minister",
        "FRA",
        "GOV",
    )


def test_quotes_indirect_complement_with_that(stage: QuoteStage) -> None:
    # Lammy said that talks would resume .
    specs: list[Spec] = [
        ("Lammy", "PROPN", "nsubj", 1, None),
        ("said", "VERB", "ROOT", 0, "say"),
        ("that", "SCONJ", "mark", 3, None),
        ("talks", "NOUN", "nsubj", 2, None),
        ("would", "AUX", "aux", 1, None),
        ("resume", "VERB", "ccomp", -4, None),
        (".", "PUNCT", "punct", -5, None),
    ]
    text, parse = build(specs)
    article = stage(article_for(text, parse))
    assert [(q.text, q.direct) for q in article.quotes] == [("talks would resume", False)]
    speaker = article.quotes[0].speaker
    assert speaker is not None and (speaker.text, speaker.name) == ("Lammy", "Lammy")


def test_quotes_continuation_inherits_previous_speaker(stage: QuoteStage) -> None:
    specs = [
        *MINISTER_AFTER,
        ("“", "PUNCT", "punct", 4, None),
        ("It", "PRON", "nsubj", 1, None),
        ("is", "AUX", "ROOT", 0, "be"),
        ("over", "ADV", "acomp", -1, None),
        ("now", "ADV", "advmod", -2, None),
        (".", "PUNCT", "punct", -3, None),
        ("”", "PUNCT", "punct", -4, None),
    ]
    text, parse = build(specs, sentence_breaks=(10,))
    article = stage(article_for(text, parse))
    assert [q.text for q in article.quotes] == ["We will win", "It is over now."]
    second = article.quotes[1]
    assert second.speaker is not None and second.speaker.text == "the minister"
    assert second.cue is None and "continuation" in second.reason


def test_quotes_cue_inside_quote_is_ignored(stage: QuoteStage) -> None:
    # “They said no , ” it rained .  -> 'said' is inside the quote; no speaker
    specs: list[Spec] = [
        ("“", "PUNCT", "punct", 2, None),
        ("They", "PRON", "nsubj", 1, None),
        ("said", "VERB", "ROOT", 0, "say"),
        ("no", "INTJ", "dobj", -1, None),
        ("more", "ADJ", "amod", -1, None),
        (",", "PUNCT", "punct", -3, None),
        ("”", "PUNCT", "punct", -4, None),
    ]
    text, parse = build(specs)
    article = stage(article_for(text, parse))
    assert len(article.quotes) == 1
    assert article.quotes[0].speaker is None


def test_quotes_without_parse_leaves_no_quotes(stage: QuoteStage) -> None:
    article = stage(Article.create('"We will win," he said.'))
    assert article.quotes == []


def _scan_char_by_char(text: str, start: int, end: int) -> list[tuple[int, int, int, int, bool]]:
    """The quote scanner's definition, one character at a time (what the jumping scanner equals)."""
    from eventwire.stages import quotes as q

    out: list[q.QuoteSpan] = []
    open_at: int | None = None
    closers = single_closers = ""
    single_at: int | None = None
    for i in range(start, end):
        ch, prev = text[i], (text[i - 1] if i > start else " ")
        nxt = text[i + 1] if i + 1 < end else " "
        if open_at is None and single_at is None:
            if ch == '"':
                open_at, closers = i, '"'
            elif ch in q._DOUBLE_PAIRS:
                open_at, closers = i, q._DOUBLE_PAIRS[ch]
            elif ch == "‘" and not prev.isalnum():
                single_at, single_closers = i, "’'"
            elif ch == "'" and (prev in q._OPEN_CONTEXT or prev in '“"') and nxt.isalnum():
                single_at, single_closers = i, "'’"
        elif open_at is not None:
            if ch in closers:
                q._emit(text, open_at, i, True, out)
                open_at = None
        elif single_at is not None and ch in single_closers and not prev.isspace() and not nxt.isalnum():
            q._emit(text, single_at, i, True, out)
            single_at = None
    if open_at is not None:
        q._emit(text, open_at, end, False, out)
    return [(s.start, s.end, s.open_mark, s.close_mark, s.closed) for s in out]


def _quote_texts() -> list[str]:
    import json

    texts = [
        "He said: \"We will 'never' leave,\" and left. 'Tis the season, the ministers' view.",
        "„Wir bleiben“, sagte er. «Nous partons» — ‘quoted’ and “unclosed at the end",
        "'Single at start' then (\"nested 'inner' quote\") and the countries' leaders’ talks",
        "No quotes here at all.",
    ]
    news = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "news"
    for path in sorted(news.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            texts += [str(json.loads(line).get("text") or "") for _, line in zip(range(30), handle, strict=False)]
    return texts


def test_quote_scanner_jumping_between_marks_equals_the_character_by_character_definition() -> None:
    from eventwire.stages.quotes import _line_paragraphs, _scan_paragraph

    checked = found = 0
    for text in _quote_texts():
        for start, end in _line_paragraphs(text):
            got = [(s.start, s.end, s.open_mark, s.close_mark, s.closed) for s in _scan_paragraph(text, start, end)]
            assert got == _scan_char_by_char(text, start, end), text[start:end]
            checked += 1
            found += len(got)
    assert checked >= 4 and found >= 6


def test_tokens_inside_marks_exactly_the_tokens_that_start_within_a_quotation() -> None:
    from eventwire.stages.quotes import _tokens_inside

    text = 'He said "we stay" and then \u201cwe go now\u201d, it was "open'
    tokens, pos = [], 0
    for i, word in enumerate(text.split(" ")):
        tokens.append(Token(i=i, text=word, start=pos, end=pos + len(word), lemma=word, pos="X", tag="X", dep="dep", head=i, sent=0))
        pos += len(word) + 1
    parse = Parse(tokens=tokens, sentences=[Sentence(index=0, start=0, end=len(text), text=text, tok_start=0, tok_end=len(tokens))])
    spans = find_quote_spans(text)
    inside = _tokens_inside(parse, spans)
    expected = [
        int(any(s.open_mark <= t.start < max(s.close_mark + 1, s.end) for s in spans)) for t in tokens
    ]
    assert list(inside) == expected
    assert [t.text for t, flag in zip(tokens, inside, strict=True) if flag] == ['"we', 'stay"', "\u201cwe", "go", "now\u201d,", '"open']

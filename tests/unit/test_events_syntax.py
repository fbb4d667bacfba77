"""Tree helpers of the event coder on hand-built parses (no spaCy model needed).

Regression: ``actors_of`` → ``_actors_of_member`` → ``resolve_pronoun`` → ``actors_of`` used to
recurse without limit when a pronoun sat inside a collective phrase that was the subject of its
own clause ("Half of them argue ...", "Half of us said ..."), raising ``RecursionError``.
"""

from __future__ import annotations

from eventwire.lookup import MentionIndex
from eventwire.model import Actor, Mention, Parse, Sentence, Token
from eventwire.stages._events_cues import load_cues
from eventwire.stages._events_syntax import MAX_RESOLVE_DEPTH, Syntax

#: (text, lemma, pos, tag, dep, head offset within the sentence)
_Row = tuple[str, str, str, str, str, int]


def _parse(sentences: list[list[_Row]]) -> tuple[str, Parse]:
    tokens: list[Token] = []
    sents: list[Sentence] = []
    text = ""
    for s_index, rows in enumerate(sentences):
        base = len(tokens)
        s_start = len(text)
        for text_, lemma, pos, tag, dep, head in rows:
            if text:
                text += " "
            start = len(text)
            text += text_
            tokens.append(
                Token(
                    i=len(tokens),
                    text=text_,
                    start=start,
                    end=len(text),
                    lemma=lemma,
                    pos=pos,
                    tag=tag,
                    dep=dep,
                    head=base + head,
                    sent=s_index,
                )
            )
        sents.append(
            Sentence(
                index=s_index,
                start=s_start,
                end=len(text),
                text=text[s_start:],
                tok_start=base,
                tok_end=len(tokens),
            )
        )
    return text, Parse(tokens=tokens, sentences=sents)


def _syntax(sentences: list[list[_Row]], actor_names: list[str]) -> Syntax:
    text, parse = _parse(sentences)
    actors = []
    for n, name in enumerate(actor_names):
        start = text.index(name)
        actors.append(
            Actor(
                id=f"A{n}",
                name=name,
                type="country",
                country="IRN",
                resolved=True,
                mentions=[Mention(text=name, start=start, end=start + len(name))],
            )
        )
    return Syntax(parse, MentionIndex(actors), load_cues())


_IRAN_PROTESTED: list[_Row] = [
    ("Iran", "Iran", "PROPN", "NNP", "nsubj", 1),
    ("protested", "protest", "VERB", "VBD", "ROOT", 1),
    (".", ".", "PUNCT", ".", "punct", 1),
]


def test_pronoun_inside_its_own_clause_subject_resolves_to_the_previous_subject() -> None:
    # "Iran protested. Half of them argue."
    syn = _syntax(
        [
            _IRAN_PROTESTED,
            [
                ("Half", "half", "NOUN", "NN", "nsubj", 3),
                ("of", "of", "ADP", "IN", "prep", 0),
                ("them", "they", "PRON", "PRP", "pobj", 1),
                ("argue", "argue", "VERB", "VBP", "ROOT", 3),
                (".", ".", "PUNCT", ".", "punct", 3),
            ],
        ],
        ["Iran"],
    )
    found = syn.actors_of(3)  # "Half"
    assert [(f.actor.name, f.how) for f in found] == [("Iran", "collective")]


def test_first_person_pronoun_inside_the_speaker_phrase_does_not_recurse() -> None:
    # "Iran protested. Half of us said." -- the speaker of "us" is "Half of us" itself
    syn = _syntax(
        [
            _IRAN_PROTESTED,
            [
                ("Half", "half", "NOUN", "NN", "nsubj", 3),
                ("of", "of", "ADP", "IN", "prep", 0),
                ("us", "we", "PRON", "PRP", "pobj", 1),
                ("said", "say", "VERB", "VBD", "ROOT", 3),
                (".", ".", "PUNCT", ".", "punct", 3),
            ],
        ],
        ["Iran"],
    )
    assert syn.actors_of(3) == []
    assert syn.resolve_pronoun(5) == []


def test_lookups_past_the_depth_limit_find_nothing() -> None:
    syn = _syntax([_IRAN_PROTESTED], ["Iran"])
    assert [f.actor.name for f in syn.actors_of(0)] == ["Iran"]
    assert syn.actors_of(0, depth=MAX_RESOLVE_DEPTH + 1) == []

"""Modality of an event from the cues on its dependency path.

The path runs from the event's anchor token up through complement relations (xcomp, ccomp, acomp,
advcl, dobj, pobj, prep, pcomp, attr, conj) and stops at a speech verb (reported speech: "X said
Y did Z" codes Y's act with Y's modality, not X's), at a relative clause or participle, and when the
anchor is a subject or modifier of the next node (a noun that is the subject of "did not have an
effect" is not negated by it).

Precedence (first that applies): refusal (asserted REJECT of the refused act; "did not rule out"
turns it into a conditional intent), negated, hypothetical (the event is inside an if/unless clause
or a when-clause with a non-past verb), conditional ("depending on", "provided that", "could
consider", an if-clause attached to the event's clause), intent (will, ready to, plans to,
pledged...), hedge → hypothetical (could, would, may, might, should without an intent cue),
question (the sentence ends in "?"), asserted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import Modality
from ..temporal import Tense
from ._events_cues import ModalityCues
from ._events_syntax import Syntax

__all__ = ["ModalityReading", "read_modality"]

_CLIMB = frozenset(
    {
        "xcomp",
        "ccomp",
        "acomp",
        "advcl",
        "dobj",
        "pobj",
        "prep",
        "pcomp",
        "attr",
        "conj",
        "oprd",
        "dative",
    }
)
_PAST_TAGS = frozenset({"VBD"})
_NONPAST_TAGS = frozenset({"VBZ", "VBP", "VB"})


@dataclass(slots=True)
class ModalityReading:
    """What the path says about one event."""

    modality: Modality = "asserted"
    intent: bool = False
    refusal: bool = False
    conditional_cue: bool = False
    cues: list[str] = field(default_factory=list)
    #: the negation sits on a clause with an intent auxiliary ("*will not* accept", "said it
    #: *would not* meet"): a refusal of the act, where CAMEO has one
    negated_intent: bool = False
    wrappers: list[int] = field(default_factory=list)
    path: list[int] = field(default_factory=list)
    boundary: int | None = None
    tense: Tense = "past"


def _clause_cues(
    syn: Syntax, n: int, cues: ModalityCues, flags: dict[str, bool], notes: list[str]
) -> None:
    tok = syn.tok(n)
    for k in syn.parse.children(n):
        kt = syn.tok(k)
        if kt.dep == "neg" or (
            kt.dep == "det" and kt.lemma in cues.negators and tok.pos in {"NOUN", "PROPN"}
        ):
            if kt.lemma in cues.negators or kt.text.lower() in cues.negators:
                flags["neg_" + str(n)] = True
        elif kt.dep == "aux" and kt.tag == "MD":
            word = kt.lemma if kt.lemma != "wo" else "will"
            if word in cues.intent_auxiliaries or kt.text.lower() in cues.intent_auxiliaries:
                flags["intent"] = True
                flags["intent_aux_" + str(n)] = True
                notes.append(f"aux:{kt.text.lower()}")
            elif kt.text.lower() == "would" and _reported_clause(syn, n):
                # "said they would boycott": the past of "will" in reported speech is the
                # speaker's stated intent, not a hypothesis (an if-clause still makes it
                # conditional, which takes precedence)
                flags["intent"] = True
                flags["intent_aux_" + str(n)] = True
                notes.append("aux:would-reported")
            elif word in cues.hedges or kt.text.lower() in cues.hedges:
                flags["hedge"] = True
                notes.append(f"hedge:{kt.text.lower()}")
        elif kt.dep in {"mark", "advmod"}:
            lemma = kt.lemma
            if lemma in cues.hypothetical_markers:
                flags["hypothetical"] = True
                notes.append(f"mark:{lemma}")
            elif (
                lemma in cues.temporal_markers
                and tok.tag in _NONPAST_TAGS
                and kt.i < n
                and tok.dep == "advcl"
            ):
                # "when Russia rejects the ceasefire": a non-past when-clause is a hypothesis
                flags["hypothetical"] = True
                notes.append(f"mark:{lemma}")
        elif kt.dep in {"prep", "advcl", "advmod", "npadvmod", "acl"}:
            if kt.lemma in cues.conditional_markers:
                flags["conditional"] = True
                notes.append(f"cond:{kt.lemma}")
            elif kt.dep == "advcl" and any(
                syn.tok(m).lemma in cues.hypothetical_markers for m in syn.kids(k, "mark", "advmod")
            ):
                flags["conditional"] = True
                notes.append("cond:if-clause")
            elif (
                kt.dep == "prep"
                and kt.lemma == "on"
                and any(syn.tok(o).lemma == "condition" for o in syn.kids(k, "pobj"))
            ):
                flags["conditional"] = True
                notes.append("cond:on-condition")


def _reported_clause(syn: Syntax, n: int) -> bool:
    """Is clause ``n`` (or the clause it is coordinated with) the complement of a speech verb in
    the past tense ("X *said* they would ...", "X *announced* it would ... and would ...")?"""
    cur = n
    for _ in range(4):
        tok = syn.tok(cur)
        if tok.dep != "conj" or tok.head == cur:
            break
        cur = tok.head
    tok = syn.tok(cur)
    if tok.dep != "ccomp" or tok.head == cur:
        return False
    head = syn.tok(tok.head)
    return (
        head.pos in {"VERB", "AUX"}
        and head.lemma in syn.cues.speech_verbs
        and (
            head.tag in {"VBD", "VBN"}
            or any(syn.tok(a).tag == "VBD" for a in syn.kids(tok.head, "aux"))
        )
    )


def read_modality(
    syn: Syntax, anchor: int, sentence_text: str, same_agent: Callable[[int], bool] | None = None
) -> ModalityReading:
    """Read the modality of the event anchored at token ``anchor`` (see the module doc).

    ``same_agent(w)`` says whether the subject of cue verb ``w`` is the event's own source; a cue
    verb of someone else ("*nobody* wants ... US support") does not make the act intended, refused
    or conditional.
    """
    cues = syn.cues
    reading = ModalityReading()
    flags: dict[str, bool] = {}
    notes: list[str] = []
    negated = False
    path = [anchor]
    _clause_cues(syn, anchor, cues, flags, notes)
    if flags.pop("neg_" + str(anchor), False):
        negated = True
        notes.append("neg")
        reading.negated_intent = bool(flags.get("intent_aux_" + str(anchor)))
    cur = anchor
    boundary: int | None = None
    # cues above an if/when clause that contains the event do not apply to it ("if Russia attacks,
    # NATO *will* respond"); the path still climbs, for the date and place of the event
    frozen = bool(flags.get("hypothetical"))
    while True:
        tok = syn.tok(cur)
        if tok.head == cur or tok.dep not in _CLIMB:
            break
        rel = tok.dep
        n = tok.head
        nt = syn.tok(n)
        if rel == "conj" and syn.kids(cur, "nsubj", "nsubjpass"):
            break
        path.append(n)
        if frozen:
            cur = n
            continue
        phrase = syn.phrase_lemma(n)
        if (
            nt.pos in {"VERB", "AUX"}
            and nt.lemma in cues.speech_verbs
            and rel in {"ccomp", "dobj", "conj"}
        ):
            boundary = n
            break
        node_neg = False
        node_flags: dict[str, bool] = {}
        _clause_cues(syn, n, cues, node_flags, notes)
        node_neg = node_flags.pop("neg_" + str(n), False)
        purpose = rel == "advcl" and syn.has_to(cur)
        complement = (
            rel in {"xcomp", "ccomp", "dobj", "pcomp", "pobj", "attr", "acl", "oprd"} or purpose
        )
        if (
            complement
            and same_agent is not None
            and nt.pos in {"VERB", "ADJ"}
            and not same_agent(n)
        ):
            complement = False
        if (
            complement
            and (phrase in cues.refusal_verbs or nt.lemma in cues.refusal_verbs)
            and nt.pos == "VERB"
        ):
            reading.wrappers.append(n)
            if node_neg and (
                phrase in cues.conditional_when_negated or nt.lemma in cues.conditional_when_negated
            ):
                flags["conditional"] = True
                reading.conditional_cue = True
                notes.append(f"cond:not-{phrase}")
            elif node_neg:
                negated = True
                notes.append(f"neg:{phrase}")
            else:
                reading.refusal = True
                notes.append(f"refuse:{phrase}")
            node_neg = False
        elif (
            complement
            and nt.pos == "VERB"
            and (phrase in cues.intent_verbs or nt.lemma in cues.intent_verbs)
            and (
                nt.lemma not in cues.infinitive_intent_verbs or (rel == "xcomp" and syn.has_to(cur))
            )
        ):
            reading.wrappers.append(n)
            flags["intent"] = True
            notes.append(f"intent:{phrase}")
        elif rel in {"xcomp", "prep"} and nt.pos == "ADJ" and nt.lemma in cues.intent_adjectives:
            reading.wrappers.append(n)
            flags["intent"] = True
            notes.append(f"intent:{nt.lemma}")
        elif complement and nt.pos == "VERB" and nt.lemma in cues.conditional_verbs:
            reading.wrappers.append(n)
            flags["conditional"] = True
            reading.conditional_cue = True
            notes.append(f"cond:{nt.lemma}")
        elif complement and nt.pos == "VERB" and nt.lemma in cues.negating_verbs:
            reading.wrappers.append(n)
            negated = True
            notes.append(f"neg:{nt.lemma}")
            if nt.lemma in cues.failure_verbs and not node_neg:
                reading.negated_intent = True
        elif rel in {"pcomp", "pobj"} and nt.lemma in cues.negating_prepositions:
            negated = True
            notes.append(f"neg:{nt.lemma}")
        elif rel == "xcomp" and syn.controllers(n) and nt.pos == "VERB":
            # another actor's act wanted by the governor: "force Russia to agree", "urged X to"
            flags["hypothetical"] = True
            notes.append(f"goal:{nt.lemma}")
        elif purpose and nt.pos == "VERB":
            # the purpose of the governor's act ("send troops to help"): not yet an occurrence
            flags["hedge"] = True
            notes.append(f"purpose:{nt.lemma}")
        if node_neg:
            negated = True
            notes.append("neg")
        for key, value in node_flags.items():
            flags[key] = flags.get(key, False) or value
        frozen = bool(flags.get("hypothetical"))
        # an intent noun governing the path: "a plan to send", "the next steps were sanctions"
        if rel == "attr":
            for s in syn.kids(n, "nsubj"):
                if syn.tok(s).lemma in cues.intent_nouns:
                    flags["intent"] = True
                    notes.append(f"intent:{syn.tok(s).lemma}")
        cur = n
    reading.path = path
    reading.boundary = boundary
    reading.tense = _tense(syn, path, flags.get("intent", False))
    if reading.refusal and not negated:
        modality: Modality = "hypothetical" if flags.get("hypothetical") else "asserted"
    elif negated:
        modality = "negated"
    elif flags.get("hypothetical"):
        modality = "hypothetical"
    elif flags.get("conditional"):
        modality = "conditional"
    elif flags.get("intent"):
        modality = "intent"
    elif flags.get("hedge"):
        modality = "hypothetical"
    elif sentence_text.rstrip().rstrip("\"'”’)").endswith("?") and boundary is None:
        modality = "question"
    else:
        modality = "asserted"
    reading.negated_intent = reading.negated_intent and modality == "negated"
    reading.intent = bool(flags.get("intent"))
    reading.modality = modality
    reading.cues = notes
    return reading


def _tense(syn: Syntax, path: list[int], intent: bool) -> Tense:
    """The tense of the clause carrying the event (for date resolution); a path without a finite
    verb (a nominal event that is a subject) takes the tense of the clause above it, and a sentence
    without any finite verb ("Planners in London on Thursday to discuss ...") reads as future."""
    for n in [*path, *syn.ancestors(path[-1])]:
        t = syn.tok(n)
        if t.pos not in {"VERB", "AUX"} and t.pos != "ADJ":
            continue
        auxes = [syn.tok(k) for k in syn.kids(n, "aux", "auxpass")]
        if any(
            a.lemma in {"will", "shall"} or a.text.lower() in {"will", "'ll", "shall"}
            for a in auxes
        ):
            return "future"
        if t.tag in _PAST_TAGS or any(a.tag in {"VBD"} for a in auxes):
            return "past"
        if t.tag == "VBN" and any(a.lemma == "have" for a in auxes):
            return "past"
        if t.tag in {"VBZ", "VBP"} or any(a.tag in {"VBZ", "VBP"} for a in auxes):
            return "future" if intent else "present"
    return "future"

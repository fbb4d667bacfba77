"""Dependency-tree helpers of the event coder: clause subjects, argument actors, pronouns.

Everything here reads the project's :class:`~eventwire.model.Parse` (article-level token indices,
spaCy-style labels of the English models: ``nsubj``, ``nsubjpass``, ``dobj``, ``dative``, ``prep``,
``pobj``, ``agent``, ``xcomp``, ``ccomp``, ``acomp``, ``advcl``, ``relcl``, ``acl``, ``conj``...).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..lookup import MentionIndex
from ..model import Actor, Mention, Parse, Token
from ._events_cues import ModalityCues

__all__ = ["ArgActor", "Syntax"]

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
RELATIVE_PRONOUNS = frozenset({"which", "who", "that", "whom", "whose"})
FIRST_PLURAL = frozenset({"we", "us", "our", "ours", "ourselves"})
THIRD_PRONOUNS = frozenset({"they", "them", "their", "theirs", "themselves", "it", "its", "itself"})
PERSONAL_PRONOUNS = frozenset({"he", "him", "his", "she", "her", "hers"})
DEMONSTRATIVES = frozenset({"these", "those", "both"})
#: children excluded from the core span of a noun phrase when looking for its actor
_NP_EXCLUDED = frozenset(
    {"relcl", "acl", "advcl", "punct", "cc", "conj", "appos", "prep", "parataxis"}
)
_NP_PREPS_KEPT = frozenset({"of", "from"})
#: how many noun-phrase / pronoun hops one argument lookup may take. ``actors_of``,
#: ``resolve_pronoun`` and ``_previous_subject`` call each other (a "we" resolves to a speaker
#: whose subject is "they", which resolves to the previous sentence's subject, ...), so the depth
#: is threaded through all of them.
MAX_RESOLVE_DEPTH = 5


@dataclass(frozen=True, slots=True)
class ArgActor:
    """An actor found for an argument position; ``how`` says how it was found (for confidence)."""

    actor: Actor
    mention: Mention | None
    token: int
    how: str


class Syntax:
    """Tree queries over one article's parse."""

    def __init__(self, parse: Parse, index: MentionIndex, cues: ModalityCues) -> None:
        self.parse = parse
        self.tokens = parse.tokens
        self.index = index
        self.cues = cues
        # the coder asks for children by relation hundreds of times per sentence
        self._children = parse.children_lists()
        self._deps = [tok.dep for tok in parse.tokens]

    # -- small helpers -----------------------------------------------------------------------

    def tok(self, i: int) -> Token:
        return self.tokens[i]

    def kids(self, i: int, *deps: str) -> list[int]:
        """The children of ``i`` with one of the relations ``deps``, in text order."""
        out: list[int] = []
        children = self._children[i]
        if children:  # half the tokens have none: no loop set up for them
            dep = self._deps
            for k in children:
                if dep[k] in deps:
                    out.append(k)
        return out

    def kid_lemmas(self, i: int, dep: str) -> list[str]:
        deps, tokens = self._deps, self.tokens
        return [tokens[k].lemma for k in self._children[i] if deps[k] == dep]

    def phrase_lemma(self, i: int) -> str:
        """The verb lemma with its particle ("rule out")."""
        prt = self.kid_lemmas(i, "prt")
        return f"{self.tokens[i].lemma} {prt[0]}" if prt else self.tokens[i].lemma

    def is_passive(self, i: int) -> bool:
        return bool(self.kids(i, "nsubjpass", "auxpass"))

    def has_to(self, i: int) -> bool:
        return any(self.tokens[k].tag == "TO" for k in self.kids(i, "aux", "mark"))

    def ancestors(self, i: int) -> list[int]:
        out: list[int] = []
        seen = {i}
        cur = i
        while self.tokens[cur].head != cur:
            cur = self.tokens[cur].head
            if cur in seen:
                break
            seen.add(cur)
            out.append(cur)
        return out

    def conjuncts(self, i: int) -> list[int]:
        """``i`` and the tokens coordinated with it (the conj chain below it)."""
        out = [i]
        stack = self.kids(i, "conj")
        while stack:
            j = stack.pop(0)
            out.append(j)
            stack.extend(self.kids(j, "conj"))
        return out

    # -- subjects ----------------------------------------------------------------------------

    def subject_of(self, v: int, depth: int = 0) -> tuple[int | None, str]:
        """The head token of the subject of verb/adjective ``v`` and how it was found.

        Follows control (``ready to send``: the subject of *be*; ``force Russia to agree``: the
        object of *force*), coordination, relative clauses, participles and ``without doing``.
        """
        if depth > 8:
            return None, "none"
        own = self.kids(v, "nsubj", "csubj")
        if not own and not self.kids(v, "auxpass"):
            own = self.kids(v, "nsubjpass")
        tok = self.tokens[v]
        if not own and tok.pos == "VERB":
            # the small English model often tags the subject of a question or headline as a
            # compound of the verb ("Did Turkey attack Syria?")
            own = [k for k in self.kids(v, "compound") if k < v and self.tokens[k].pos == "PROPN"]
        if own:
            s = own[0]
            if self.tokens[s].lemma in RELATIVE_PRONOUNS and tok.dep == "relcl":
                return tok.head, "relcl"
            return s, "direct"
        head = tok.head
        if head == v:
            return None, "none"
        dep = tok.dep
        if dep == "xcomp":
            objs = self.controllers(head)
            if objs and self.tokens[head].lemma not in self.cues.intent_verbs:
                return objs[0], "control"
            ctrl, _ = self.subject_of(head, depth + 1)
            return ctrl, "control"
        if (
            dep == "advcl"
            and self.tokens[head].dep == "ROOT"
            and self.tokens[head].pos in {"NOUN", "PROPN"}
        ):
            # a headline-style sentence without a finite verb: "Planners in London to discuss ..."
            return head, "control"
        if dep in {"acomp", "conj"} or (dep == "advcl" and self.has_to(v)):
            inherited, how = self.subject_of(head, depth + 1)
            return inherited, "control" if dep != "conj" else how
        if dep == "relcl":
            return head, "relcl"
        if dep == "acl" and tok.tag == "VBG":
            h = self.tokens[head]
            gov = h.head
            if (
                h.dep in {"dobj", "attr"}
                and gov != head
                and self.tokens[gov].pos in {"VERB", "AUX"}
                and self.index.at(h.start) is None
                and h.lemma not in self.cues.collective_heads
                and h.pos == "NOUN"
            ):
                # "issued a declaration demanding ...": the document speaks for whoever issued it
                ctrl, _ = self.subject_of(gov, depth + 1)
                if ctrl is not None:
                    return ctrl, "control"
            return head, "relcl"
        if dep == "pcomp":
            return self.subject_of(self.tokens[head].head, depth + 1)[0], "control"
        if dep == "advcl" and tok.tag == "VBG":
            return self.subject_of(head, depth + 1)[0], "control"
        return None, "none"

    def controllers(self, v: int) -> list[int]:
        """The object of verb ``v`` that controls the subject of its infinitive complement: the
        direct object ("urged *Russia* to withdraw") or the object of "on"/"upon" ("called on
        *Obama* to retaliate", "prevailed upon *them* to stay")."""
        objs = self.kids(v, "dobj")
        if objs:
            return objs
        return [
            o
            for p in self.kids(v, "prep")
            if self.tokens[p].lemma in {"on", "upon"}
            for o in self.kids(p, "pobj")
        ]

    def passive_agent(self, v: int) -> int | None:
        for p in self.kids(v, "agent"):
            objs = self.kids(p, "pobj")
            if objs:
                return objs[0]
        return None

    # -- actors of a noun phrase -------------------------------------------------------------

    def actors_of(
        self, head: int, *, exclude_ids: frozenset[str] = frozenset(), depth: int = 0
    ) -> list[ArgActor]:
        """All actors a noun phrase stands for, one per coordinated member.

        ``depth`` counts the lookups above this one (pronouns, relative clauses, member lists);
        past :data:`MAX_RESOLVE_DEPTH` nothing is found.
        """
        if depth > MAX_RESOLVE_DEPTH:
            return []
        out: list[ArgActor] = []
        seen: set[str] = set()
        for member in self.conjuncts(head):
            for found in self._actors_of_member(member, depth):
                if found.actor.id not in seen and found.actor.id not in exclude_ids:
                    seen.add(found.actor.id)
                    out.append(found)
        return out

    def _member_list(self, i: int) -> list[int]:
        members: list[int] = []
        for p in self.kids(i, "prep"):
            lemma = self.tokens[p].lemma
            phrase = lemma
            if lemma == "as" and any(
                self.tokens[k].lemma == "such" for k in self.parse.children(p)
            ):
                phrase = "such as"
            if phrase in self.cues.member_prepositions and phrase != "as":
                for o in self.kids(p, "pobj"):
                    members.extend(self.conjuncts(o))
        return members

    def _actors_of_member(self, i: int, depth: int) -> list[ArgActor]:
        if depth > MAX_RESOLVE_DEPTH:
            return []
        tok = self.tokens[i]
        if tok.lemma in RELATIVE_PRONOUNS and tok.tag in {"WDT", "WP"}:
            verb = tok.head
            if self.tokens[verb].dep == "relcl":
                return self._actors_of_member(self.tokens[verb].head, depth + 1)
            return []
        if tok.pos == "PRON" or tok.tag in {"PRP", "PRP$"}:
            return self.resolve_pronoun(i, depth=depth + 1)
        members = self._member_list(i)
        if members:
            out: list[ArgActor] = []
            for m in members:
                out.extend(self._actors_of_member(m, depth + 1))
            if any(a.actor.country or a.actor.org for a in out):
                return out
            # "Russian aircraft including helicopter gunships": members without a country or
            # organisation say less than the head's own actor
            own = self._best_actor(i, self._core_tokens(i))
            if own is not None and (own.actor.country or own.actor.org):
                return self._with_coordinated_modifiers(i, own)
            if out:
                return out
        if tok.lemma in self.cues.collective_heads:
            for p in self.kids(i, "prep"):
                if self.tokens[p].lemma == "of":
                    for o in self.kids(p, "pobj"):
                        found = self.actors_of(o, depth=depth + 1)
                        if found:
                            return [
                                ArgActor(a.actor, a.mention, a.token, "collective") for a in found
                            ]
        core = self._core_tokens(i)
        best = self._best_actor(i, core)
        if best is not None:
            return self._with_coordinated_modifiers(i, best)
        for a in self.kids(i, "appos"):
            best = self._best_actor(a, self._core_tokens(a))
            if best is not None:
                return [ArgActor(best.actor, best.mention, best.token, "appos")]
        if any(self.tokens[k].lemma in DEMONSTRATIVES for k in self.kids(i, "det")) and tok.tag in {
            "NNS",
            "NNPS",
        }:
            return [
                ArgActor(a.actor, a.mention, a.token, "anaphor")
                for a in self._previous_subject(i, depth + 1)
            ]
        return []

    def _with_coordinated_modifiers(self, head: int, best: ArgActor) -> list[ArgActor]:
        """``best`` and the actors of coordinated modifiers of ``head``: "Senior *Hungarian and
        Romanian* officials", "the *Turkish and Greek* sides" stand for one actor per modifier."""
        found: list[ArgActor] = []
        for m in self.kids(head, "amod", "compound", "nmod"):
            chain = self.conjuncts(m)
            if len(chain) < 2:
                continue
            for c in chain:
                hit = self.index.at(self.tokens[c].start)
                if hit is not None:
                    how = "direct" if hit[0].id == best.actor.id else best.how
                    found.append(ArgActor(hit[0], hit[1], c, how))
        out = [best]
        seen = {best.actor.id}
        for f in found:
            if f.actor.id not in seen and (f.actor.country or f.actor.org):
                seen.add(f.actor.id)
                out.append(f)
        return out

    def _core_tokens(self, i: int) -> list[int]:
        out = [i]
        stack = [i]
        while stack:
            j = stack.pop()
            for k in self.parse.children(j):
                t = self.tokens[k]
                if t.dep in _NP_EXCLUDED and not (t.dep == "prep" and t.lemma in _NP_PREPS_KEPT):
                    continue
                out.append(k)
                stack.append(k)
        return sorted(out)

    def _best_actor(self, head: int, core: list[int]) -> ArgActor | None:
        t = self.tokens[head]
        hit = self.index.at(t.start)
        if hit is not None:
            return ArgActor(hit[0], hit[1], head, "direct")
        best: tuple[int, ArgActor] | None = None
        for k in core:
            hit = self.index.at(self.tokens[k].start)
            if hit is None:
                continue
            dist = abs(k - head)
            if best is None or dist < best[0]:
                best = (dist, ArgActor(hit[0], hit[1], k, "modifier"))
        return best[1] if best else None

    # -- pronouns ----------------------------------------------------------------------------

    def resolve_pronoun(self, i: int, *, depth: int = 0) -> list[ArgActor]:
        """Resolve a pronoun syntactically.

        * "he"/"she" were linked by the resolver (a mention covers them).
        * "we"/"us"/"our": the subject of the nearest speech verb above (the speaker).
        * "they"/"it"/"their": the subject of the nearest clause above whose subject is not this
          pronoun (a "they" in a complement clause is the matrix subject); otherwise the subject of
          the previous sentence.

        ``depth`` is the lookup depth of the caller (see :meth:`actors_of`).
        """
        if depth > MAX_RESOLVE_DEPTH:
            return []
        tok = self.tokens[i]
        hit = self.index.at(tok.start)
        if hit is not None:
            return [ArgActor(hit[0], hit[1], i, "direct")]
        lemma = tok.lemma if tok.lemma != "-pron-" else tok.text.lower()
        text = tok.text.lower()
        if lemma in FIRST_PLURAL or text in FIRST_PLURAL:
            for a in self.ancestors(i):
                at = self.tokens[a]
                if at.lemma in self.cues.speech_verbs and at.pos in {"VERB", "AUX"}:
                    s, _ = self.subject_of(a)
                    if s is not None and s != i and self.tokens[s].text.lower() not in FIRST_PLURAL:
                        return self._as(self.actors_of(s, depth=depth + 1), "speaker")
            return []
        if text not in THIRD_PRONOUNS and lemma not in THIRD_PRONOUNS:
            return []
        own_clause: int | None = None
        for a in self.ancestors(i):
            if self.tokens[a].pos in {"VERB", "AUX", "ADJ"}:
                own_clause = a
                break
        own_subject = self.subject_of(own_clause)[0] if own_clause is not None else None
        avoid = set()
        if (
            own_subject is not None
            and own_subject != i
            and tok.dep not in SUBJECT_DEPS
            and own_subject not in self.ancestors(i)
        ):
            # an object pronoun is not its own clause's subject ("they" in "X met them" is not X);
            # a pronoun inside that subject phrase ("half of *them* argue") says nothing of it
            avoid = (
                {a.actor.id for a in self.actors_of(own_subject, depth=depth + 1)}
                if self._not_pronoun(own_subject)
                else set()
            )
        for a in self.ancestors(i):
            at = self.tokens[a]
            if at.pos not in {"VERB", "AUX", "ADJ"} or a == own_clause:
                continue
            s, _ = self.subject_of(a)
            if s is None or s == i or not self._not_pronoun(s):
                continue
            found = [f for f in self.actors_of(s, depth=depth + 1) if f.actor.id not in avoid]
            if found:
                return self._as(found, "anaphor")
        return [
            f
            for f in self._as(self._previous_subject(i, depth + 1), "anaphor")
            if f.actor.id not in avoid
        ]

    def _not_pronoun(self, i: int) -> bool:
        return self.tokens[i].tag not in {"PRP", "PRP$"}

    def _as(self, found: list[ArgActor], how: str) -> list[ArgActor]:
        return [ArgActor(f.actor, f.mention, f.token, how) for f in found]

    def _previous_subject(self, i: int, depth: int = 0) -> list[ArgActor]:
        if depth > MAX_RESOLVE_DEPTH:
            return []
        sent = self.tokens[i].sent
        if sent == 0:
            return []
        prev = self.parse.sentences[sent - 1]
        for k in range(prev.tok_start, prev.tok_end):
            t = self.tokens[k]
            if t.head == k:
                s, _ = self.subject_of(k)
                if s is not None and self._not_pronoun(s):
                    return self.actors_of(s, depth=depth + 1)
                if s is not None:
                    return self.resolve_pronoun(s, depth=depth + 1)
        return []

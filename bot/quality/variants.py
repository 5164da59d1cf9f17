"""Settings variants for ``python -m bot eval``: ``--compare`` rows and the ``--ablation`` set.

``--set`` overrides settings for the run; each ``--compare`` adds a row with further overrides
on top, and ``--ablation`` adds the standard rows (stemming off, variants off, ...), so one run
prints what each feature is worth.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

from bot.errors import TalksBotError

#: The rows ``--ablation`` adds: each switches one feature off (or to its alternative).
ABLATION: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("stemming off", ("analysis.stemmer=none",)),
    ("porter stemmer", ("analysis.stemmer=porter",)),
    ("stop words kept", ("analysis.stopwords=false",)),
    ("spelling variants off", ("analysis.spelling_variants=false",)),
    ("aliases off", ("analysis.aliases=[]",)),
    ("acronyms off", ("analysis.acronyms=[]",)),
    ("title field off", ("retrieval.title_weight=0",)),
    ("section field off", ("retrieval.section_weight=0",)),
    ("framing words off", ("answer.framing_words=[]",)),
    ("spelling correction off", ("answer.spelling=false",)),
    ("context field off", ("retrieval.context_weight=0",)),
    ("lemmatisation off", ("analysis.lemmatize=false",)),
    ("unknown-name weight off", ("answer.unknown_name_weight=1",)),
    ("no-answer rule off", ("answer.min_coverage=0",)),
    ("rank-bm25 idf", ("retrieval.idf=rank-bm25",)),
    ("bm25plus", ("retrieval.algorithm=bm25plus",)),
    ("bm25l", ("retrieval.algorithm=bm25l",)),
)


class UsageError(TalksBotError):
    """The ``eval`` arguments do not make sense together."""


@dataclass(frozen=True)
class Variant:
    """One row of a comparison: a name and the ``key=value`` overrides that make it."""

    name: str
    overrides: tuple[str, ...] = ()


_SPLIT_OVERRIDES = re.compile(r",\s*(?=[A-Za-z_][\w.]*\s*=)")
#: ``name:`` is the text before the first colon that is followed by a ``key=``.
_NAMED = re.compile(r"^([^:]*?)\s*:\s*(?=[A-Za-z_][\w.]*\s*=)")


def parse_compare(spec: str) -> Variant:
    """Parse ``"name: key=value,key=value"``.

    The name may itself hold ``=`` (``"k1=0.9: retrieval.k1=0.9"``); commas inside values such
    as ``[a, b]`` are kept when the next part is not a ``key=``. Without ``name:`` the overrides
    name the row.
    """
    named = _NAMED.match(spec)
    name, rest = (named.group(1), spec[named.end() :]) if named else ("", spec)
    overrides = tuple(o.strip() for o in _SPLIT_OVERRIDES.split(rest) if o.strip())
    bad = [o for o in overrides if "=" not in o]
    if bad or not overrides:
        raise argparse.ArgumentTypeError(
            f"--compare {spec!r}: expected 'name: key=value,key=value', "
            "e.g. 'no stemming: analysis.stemmer=none'"
        )
    return Variant(name.strip() or ",".join(overrides), overrides)

"""An article's analysed passages as one string: how they travel and how they are kept.

The string holds the title's terms, then per passage its body terms and its section's terms,
joined with ASCII separator characters, which no analysed term contains (the analyser's tokens
are letters, digits, apostrophes and hyphens; :func:`encode` removes any separator a term
might still hold, so the encoding is always exact). One string per article is cheap to send
from an analysis worker, to store (:mod:`bot.index.analysed`) and to hand to tantivy, whose
fields want terms joined by spaces -- one ``str.replace`` per article -- and several times
faster to write and read than JSON or tuples of strings.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.index.engine import FieldedDoc

TERM, FIELD, PASSAGE = "\x1f", "\x1d", "\x1e"
_SEPARATORS = str.maketrans("", "", TERM + FIELD + PASSAGE)


def encode(docs: Sequence[FieldedDoc]) -> str:
    """One article's analysed passages as one string (see the module doc)."""
    title = docs[0].title if docs else ()
    fields = [title, *(f for d in docs for f in (d.body, d.section))]
    data = PASSAGE.join(
        [TERM.join(title), *(TERM.join(d.body) + FIELD + TERM.join(d.section) for d in docs)]
    )
    # Separators expected: one fewer than the terms of each non-empty field, one per passage
    # between body and section, one per passage before it.
    expected = sum(map(len, fields)) - sum(map(bool, fields)) + 2 * len(docs)
    found = data.count(TERM) + data.count(FIELD) + data.count(PASSAGE)
    if found == expected:
        return data
    return encode([_clean(d) for d in docs])  # a term held a separator


def _clean(doc: FieldedDoc) -> FieldedDoc:
    def terms(field: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t for t in (t.translate(_SEPARATORS) for t in field) if t)

    return FieldedDoc(terms(doc.body), terms(doc.title), terms(doc.section))


def _terms(text: str) -> tuple[str, ...]:
    return tuple(text.split(TERM)) if text else ()


def decode(data: str) -> tuple[FieldedDoc, ...]:
    """The inverse of :func:`encode`."""
    head, *passages = data.split(PASSAGE)
    title = _terms(head)
    docs = []
    for passage in passages:
        body, _, section = passage.partition(FIELD)
        docs.append(FieldedDoc(_terms(body), title, _terms(section)))
    return tuple(docs)


def spaced(data: str) -> tuple[str, list[tuple[str, str]]]:
    """The title, and each passage's body and section, as terms joined by spaces."""
    head, *passages = data.replace(TERM, " ").split(PASSAGE)
    return head, [(body, section) for body, _, section in (p.partition(FIELD) for p in passages)]


def passages(data: str) -> int:
    """How many passages an encoded article holds."""
    return data.count(PASSAGE)

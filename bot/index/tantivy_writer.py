"""Writing the tantivy index: its schema, its documents, and what its files say about it.

Each passage is one tantivy document: the analysed terms of each field (:data:`FIELDS`) joined
by spaces, for tantivy's ``whitespace`` tokenizer, which neither lower-cases nor drops anything;
a ``slot`` (a number that never changes while the passage is in the index, read back through a
fast field to find the passage's position in the corpus); and an ``article`` number -- the slot
of the article's first passage -- by which every passage of an article is deleted at once.

Slots, not corpus positions, are stored because positions move: adding or removing one article
shifts every later passage, and rewriting them would mean re-indexing the rest of the corpus.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from bot.errors import EngineError
from bot.index.encoded import spaced
from bot.index.engine import FIELDS, FieldedDoc
from bot.index.keys import package_version

#: Bump when the way fields are written changes (invalidates persisted indexes); the field
#: names are part of the index key too.
INDEX_FORMAT = 3
#: The fast field mapping a hit to its passage (see the module doc).
SLOT = "slot"
#: The field holding the first slot of a passage's article, to delete the article by.
ARTICLE = "article"
#: Memory for the writer's in-memory segments (tantivy flushes a segment when it is full).
WRITER_HEAP = 256_000_000
#: The writer's memory for an update of a few articles: a serving process need not grow by a
#: build's worth to add one (tantivy needs at least 15 MB per thread).
UPDATE_HEAP = 32_000_000


def index_format() -> str:
    """What decides the layout of a persisted index besides its content: the format version
    and the tantivy release that wrote it (part of the index key)."""
    return f"index-format={INDEX_FORMAT};tantivy={package_version('tantivy')}"


def schema() -> tantivy.Schema:
    """The index schema: the pre-analysed text fields, the slot and the article number."""
    builder = tantivy.SchemaBuilder()
    for name in FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_unsigned_field(SLOT, stored=False, indexed=True, fast=True)
    builder.add_unsigned_field(ARTICLE, stored=False, indexed=True, fast=False)
    return builder.build()


def new_index(path: Path | None) -> tantivy.Index:
    """An empty index at ``path`` (in memory when None)."""
    return tantivy.Index(schema(), path=None if path is None else str(path), reuse=False)


def add_passages(
    writer: tantivy.IndexWriter, docs: Iterable[FieldedDoc], first_slot: int, article: int
) -> int:
    """Add passages with consecutive slots from ``first_slot``; returns how many."""
    count = 0
    for count, doc in enumerate(docs, 1):
        document = tantivy.Document()
        document.add_unsigned(SLOT, first_slot + count - 1)
        document.add_unsigned(ARTICLE, article)
        for name in FIELDS:
            terms = doc.field(name)
            if terms:
                document.add_text(name, " ".join(terms))
        writer.add_document(document)
    return count


def add_article(writer: tantivy.IndexWriter, data: str, first_slot: int) -> int:
    """Add one article's passages (encoded, :mod:`bot.index.encoded`), each with the previous
    one's body as context; returns how many. The title is joined once per article."""
    title, passages = spaced(data)
    previous = ""
    for i, (body, section) in enumerate(passages):
        document = tantivy.Document()
        document.add_unsigned(SLOT, first_slot + i)
        document.add_unsigned(ARTICLE, first_slot)
        values = {"body": body, "title": title, "section": section, "context": previous}
        for name in FIELDS:
            if values[name]:
                document.add_text(name, values[name])
        writer.add_document(document)
        previous = body
    return len(passages)


def delete_article(writer: tantivy.IndexWriter, index: tantivy.Index, first_slot: int) -> None:
    """Delete every passage of the article whose first slot is ``first_slot``.

    By query: a delete by term would need the number typed as tantivy's u64 exactly.
    """
    writer.delete_documents_by_query(tantivy.Query.term_query(index.schema, ARTICLE, first_slot))


def finish(writer: tantivy.IndexWriter) -> int:
    """Commit, wait for merges to end (the writer is spent after this); returns the opstamp."""
    opstamp = int(writer.commit())
    writer.wait_merging_threads()
    return opstamp


def read_meta(path: Path) -> tuple[int, list[dict[str, Any]]]:
    """What tantivy's ``meta.json`` says: the last commit's opstamp and its segments."""
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    if not isinstance(meta, dict) or not isinstance(meta.get("segments"), list):
        raise ValueError("meta.json is not a tantivy commit")
    return int(meta["opstamp"]), [s for s in meta["segments"] if isinstance(s, dict)]


def committed_opstamp(path: Path) -> int:
    """The opstamp of the last commit of the index at ``path``."""
    return read_meta(path)[0]


def deleted_passages(path: Path) -> int:
    """Deleted passages tantivy still keeps (and counts in its statistics) until a merge."""
    return sum(int((s.get("deletes") or {}).get("num_deleted_docs", 0)) for s in read_meta(path)[1])


def committed_files(path: Path) -> list[str]:
    """The files the last commit uses: ``meta.json`` and those of its segments (tantivy names
    a segment's files after its id). Uncommitted or merged-away files are not listed."""
    segments = {str(s.get("segment_id")).replace("-", "") for s in read_meta(path)[1]}
    files = ["meta.json"]
    for entry in sorted(path.iterdir()):
        if entry.is_file() and entry.name.split(".", 1)[0] in segments:
            files.append(entry.name)
    return files


def validate(path: Path, expected: int | None) -> tantivy.Index:
    """Open a persisted index and check it holds what it should; raise if not."""
    index = tantivy.Index.open(str(path))
    searcher = index.searcher()
    for name in (*FIELDS, SLOT, ARTICLE):
        try:
            tantivy.Query.term_query(index.schema, name, 0 if name in (SLOT, ARTICLE) else "")
        except ValueError:
            raise EngineError(f"has no {name!r} field (built by an older version)") from None
    n = int(searcher.num_docs)
    if expected is not None and n != expected:
        raise EngineError(f"holds {n} passages, expected {expected}")
    if n:
        hits = searcher.search(tantivy.Query.all_query(), 1, count=False).hits
        if not hits:
            raise EngineError("no document is readable")
        searcher.fast_field_values(SLOT, [hits[0][1]])
    return index

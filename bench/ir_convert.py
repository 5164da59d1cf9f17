"""Convert the shared IR test collections into the formats ``python -m bot eval`` reads.

Two collections live in ``<repo>/../shared/data/ir/`` (see its README):

* ``vaswani/``: TREC SGML documents (``corpus/doc-text.trec``), TREC topics
  (``query-text.trec``, the query in ``<title>``) and binary TREC qrels (``qrels``).
* ``cranfield/``: SMART-style records (``cran.all.1400``, ``cran.qry``) with ``.I`` ids and
  ``.T`` / ``.A`` / ``.B`` / ``.W`` fields, and ``cranqrel`` whose lines are
  ``query-position doc code``. Queries are numbered 1-225 by their *position* in ``cran.qry``
  (not by its ``.I`` ids), and codes run 1 (most relevant) to 4 (least); -1 means not relevant.
  We write ``grade = 5 - code`` so higher is more relevant, and drop the -1 rows.

Output, in ``--out DIR``:

* ``docs.jsonl``: one ``{"id", "text", "title"?}`` object per line (Cranfield: ``.T`` as the
  title, ``.W`` as the text; Vaswani has no titles);
* ``queries.jsonl``: one ``{"id", "text"}`` object per line;
* ``qrels.txt``: TREC qrels, ``qid 0 docid grade`` per line.

Usage::

    python bench/ir_convert.py vaswani --out /tmp/vaswani
    python bench/ir_convert.py cranfield --out /tmp/cranfield [--data ../shared/data/ir]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "READERS",
    "Collection",
    "ConversionError",
    "default_data_dir",
    "main",
    "read_cranfield",
    "read_vaswani",
    "write_collection",
]

_WS = re.compile(r"\s+")
_DOC = re.compile(r"<DOC>(.*?)</DOC>", re.S | re.I)
_DOCNO = re.compile(r"<DOCNO>\s*(.*?)\s*</DOCNO>", re.S | re.I)
_TOP = re.compile(r"<top>(.*?)</top>", re.S | re.I)
_NUM = re.compile(r"<num>\s*(?:Number:)?\s*(.*?)\s*(?:</num>|\n|<)", re.S | re.I)
_TITLE = re.compile(r"<title>(.*?)(?:</title>|<desc>|<narr>|$)", re.S | re.I)
_FIELD = re.compile(r"^\.([A-Z])(?:\s+(.*))?$")


class ConversionError(ValueError):
    """A source file is missing or not in the expected format."""


@dataclass(frozen=True)
class Collection:
    """A test collection in memory.

    Attributes
    ----------
    docs : list of dict
        ``{"id": str, "text": str}`` plus ``"title": str`` when the source has one.
    queries : list of dict
        ``{"id": str, "text": str}``, ids matching those used in ``qrels``.
    qrels : dict
        ``{qid: {docid: grade}}`` with positive integer grades, higher = more relevant.
    """

    docs: list[dict[str, str]]
    queries: list[dict[str, str]]
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise ConversionError(f"missing file: {path}") from None


def _read_trec_docs(text: str) -> Iterator[dict[str, str]]:
    for block in _DOC.findall(text):
        match = _DOCNO.search(block)
        if match is None:
            raise ConversionError("a <DOC> without a <DOCNO>")
        body = block[match.end() :]
        yield {"id": match.group(1), "text": _clean(re.sub(r"<[^>]+>", " ", body))}


def _read_trec_topics(text: str) -> Iterator[dict[str, str]]:
    for block in _TOP.findall(text):
        num, title = _NUM.search(block), _TITLE.search(block)
        if num is None or title is None:
            raise ConversionError("a <top> without <num> or <title>")
        yield {"id": num.group(1).strip(), "text": _clean(title.group(1))}


def _read_trec_qrels(lines: Iterable[str]) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise ConversionError(
                f"qrels line {number}: expected 'qid 0 docid grade', got {line!r}"
            )
        qid, _, docid, grade = parts
        if int(grade) > 0:
            qrels.setdefault(qid, {})[docid] = int(grade)
    return qrels


def read_vaswani(root: Path) -> Collection:
    """Read the Vaswani (NPL) collection from its TREC-format folder.

    Parameters
    ----------
    root : Path
        The ``vaswani/`` folder holding ``corpus/doc-text.trec``, ``query-text.trec``, ``qrels``.
    """
    root = Path(root)
    docs = list(_read_trec_docs(_read_text(root / "corpus" / "doc-text.trec")))
    queries = list(_read_trec_topics(_read_text(root / "query-text.trec")))
    qrels = _read_trec_qrels(_read_text(root / "qrels").splitlines())
    return Collection(docs, queries, qrels)


def _read_smart_records(text: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield ``(id, {field letter: text})`` for each ``.I`` record.

    Once a record's ``.W`` (abstract) has begun, later marker lines are treated as part of
    it: the Cranfield file has stray ``.A``/``.B``/``.W`` lines inside abstracts (records
    240, 576, 578) whose following lines are abstract text, not new fields.
    """
    record_id: str | None = None
    fields: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        match = _FIELD.match(line.rstrip())
        if match and match.group(1) == "I":
            if record_id is not None:
                yield record_id, {k: _clean(" ".join(v)) for k, v in fields.items()}
            record_id, fields, current = match.group(2) or "", {}, None
            record_id = record_id.strip()
            continue
        if match and current != "W":
            current = match.group(1)
            fields.setdefault(current, [])
            if match.group(2):
                fields[current].append(match.group(2))
            continue
        if match:  # stray marker inside the abstract: keep its text, drop the marker
            if match.group(2):
                fields["W"].append(match.group(2))
            continue
        if current is None:
            if line.strip():
                raise ConversionError(f"text outside any field: {line!r}")
            continue
        fields[current].append(line)
    if record_id is not None:
        yield record_id, {k: _clean(" ".join(v)) for k, v in fields.items()}


def read_cranfield(root: Path) -> Collection:
    """Read the Cranfield 1400 collection.

    Parameters
    ----------
    root : Path
        The ``cranfield/`` folder holding ``cran.all.1400``, ``cran.qry`` and ``cranqrel``.

    Notes
    -----
    Query ids are written as their 1-based position in ``cran.qry`` because that is how
    ``cranqrel`` numbers them. Grades are ``5 - code``; code -1 (not relevant) is dropped.
    """
    root = Path(root)
    docs = []
    for record_id, fields in _read_smart_records(_read_text(root / "cran.all.1400")):
        doc = {"id": str(int(record_id)), "text": fields.get("W", "")}
        if fields.get("T"):
            doc["title"] = fields["T"]
        docs.append(doc)
    queries = [
        {"id": str(position), "text": fields.get("W", "")}
        for position, (_, fields) in enumerate(
            _read_smart_records(_read_text(root / "cran.qry")), 1
        )
    ]
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(_read_text(root / "cranqrel").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 3:
            raise ConversionError(
                f"cranqrel line {number}: expected 'query doc code', got {line!r}"
            )
        qid, docid, code = parts[0], str(int(parts[1])), int(parts[2])
        if code == -1:
            continue
        if not 1 <= code <= 4:
            raise ConversionError(f"cranqrel line {number}: relevance code {code} not in 1-4 or -1")
        qrels.setdefault(str(int(qid)), {})[docid] = 5 - code
    return Collection(docs, queries, qrels)


READERS: dict[str, Callable[[Path], Collection]] = {
    "vaswani": read_vaswani,
    "cranfield": read_cranfield,
}


def write_collection(collection: Collection, out: Path) -> None:
    """Write ``docs.jsonl``, ``queries.jsonl`` and ``qrels.txt`` into *out* (created if needed)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "docs.jsonl").open("w", encoding="utf-8") as fh:
        for doc in collection.docs:
            fh.write(json.dumps(doc, ensure_ascii=False) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as fh:
        for query in collection.queries:
            fh.write(json.dumps(query, ensure_ascii=False) + "\n")
    with (out / "qrels.txt").open("w", encoding="utf-8") as fh:
        for qid, judged in collection.qrels.items():
            for docid, grade in judged.items():
                fh.write(f"{qid} 0 {docid} {grade}\n")


def default_data_dir() -> Path:
    """``<repo>/../shared/data/ir``, where the shared collections live."""
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "ir"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Convert a shared IR test collection.")
    parser.add_argument("collection", choices=sorted(READERS))
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder holding vaswani/ and cranfield/ (default: <repo>/../shared/data/ir)",
    )
    args = parser.parse_args(argv)
    data = args.data if args.data is not None else default_data_dir()
    try:
        collection = READERS[args.collection](data / args.collection)
    except ConversionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write_collection(collection, args.out)
    judged = sum(len(v) for v in collection.qrels.values())
    print(
        f"{args.collection}: {len(collection.docs)} docs, {len(collection.queries)} queries, "
        f"{judged} judgements -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

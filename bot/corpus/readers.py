"""Readers for saved web pages (``.html``) and bulk imports (``.jsonl``).

Both produce :class:`~bot.corpus.model.RawArticle` records, so the corpus rules (front-matter
fields, furniture removal, warnings naming the file and line) apply to them exactly as to
``.md`` files.

HTML
    The main text, title, date, outlet (site name) and URL are extracted by trafilatura, a library
    made for news pages: navigation, adverts, related-story boxes, bylines and footers are left
    out. A sidecar YAML file next to the page -- ``NAME.html.yaml`` or ``NAME.yaml`` -- holds
    front-matter-style overrides (``title``, ``source``, ``date``, ``url``, any other key), for
    pages whose metadata is missing or wrong.
JSON Lines
    One article per line: a JSON object with the front-matter fields plus ``text`` (paragraphs
    separated by blank lines) and optionally ``id`` (default ``FILE-LINE``). A bad line becomes a
    warning naming the file and line; the other lines still load.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import yaml

from bot.config.settings import yaml_problem
from bot.config.yamlsafe import MAX_NESTING, load_yaml, too_deep
from bot.corpus.files import read_file
from bot.corpus.model import RawArticle, SkipFile
from bot.corpus.sanitize import clean_text
from bot.extras import MissingExtra, require

log = logging.getLogger(__name__)

#: A sidecar holds a few keys of metadata; anything bigger is not one.
_SIDECAR_BYTES = 1_000_000

#: Metadata trafilatura extracts, mapped to front-matter keys (``sitename`` is the outlet).
_HTML_FIELDS = {
    "title": "title",
    "sitename": "source",
    "date": "date",
    "url": "url",
    "author": "author",
    "hostname": "hostname",
}


# --------------------------------------------------------------------------- HTML


def read_html_file(path: Path, data: bytes) -> list[RawArticle]:
    """Read a saved news page with trafilatura, then apply the sidecar overrides."""
    if not data.strip():
        raise SkipFile("empty file")
    meta, body = extract_html(data)
    meta.update(read_sidecar(path))
    return [RawArticle(id=path.stem, meta=meta, body=body, body_line=1)]


def extract_html(data: bytes) -> tuple[dict[str, Any], str]:
    """Metadata and main text (paragraphs separated by blank lines) of one HTML page.

    Raises
    ------
    SkipFile
        When trafilatura finds no main text in the page, or is not installed (the ``html``
        extra): a saved page in the corpus of a base install is one skipped file, named with
        the pip install, and the rest loads.
    """
    try:  # heavy (lxml, htmldate): only when a page is read
        trafilatura = require("trafilatura", "html")
    except MissingExtra as exc:
        raise SkipFile(str(exc)) from None

    try:
        doc = trafilatura.bare_extraction(
            data,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_formatting=True,  # keeps headings as "## ..." so they become sections
            favor_precision=True,
            date_extraction_params={"original_date": True, "extensive_search": True},
        )
    except Exception as exc:  # trafilatura/lxml raise many types on broken markup
        raise SkipFile(f"cannot parse HTML: {type(exc).__name__}: {exc}") from None
    fields: dict[str, Any] = {}
    if isinstance(doc, dict):  # older trafilatura versions return a dict
        fields = doc
    elif doc is not None:
        fields = {name: getattr(doc, name, None) for name in ("text", *_HTML_FIELDS)}
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        raise SkipFile("no article text found in the page (is it a news article?)")
    meta = {key: fields[attr] for attr, key in _HTML_FIELDS.items() if fields.get(attr)}
    return meta, _html_body(text, meta.get("title"))


def _html_body(text: str, title: str | None) -> str:
    """Paragraphs separated by blank lines; a leading heading repeating the title is dropped."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n") if p.strip()]
    if paragraphs and title and paragraphs[0].lstrip("#").strip() == title.strip():
        paragraphs = paragraphs[1:]
    return "\n\n".join(paragraphs)


def sidecar_paths(path: Path) -> tuple[Path, Path]:
    """Where overrides for ``path`` may live: ``NAME.html.yaml``, then ``NAME.yaml``."""
    return path.with_name(path.name + ".yaml"), path.with_suffix(".yaml")


def read_sidecar(path: Path) -> dict[str, Any]:
    """Front-matter-style overrides for a page, or ``{}`` when there is no sidecar file."""
    for sidecar in sidecar_paths(path):
        if not os.path.lexists(sidecar):
            continue
        try:
            text = clean_text(read_file(sidecar, _SIDECAR_BYTES, None).decode("utf-8-sig"))
        except SkipFile as exc:
            raise SkipFile(f"sidecar {sidecar.name}: {exc}") from None
        except UnicodeDecodeError:
            raise SkipFile(f"sidecar {sidecar.name}: not UTF-8 text") from None
        try:
            meta, _lines = load_yaml(text)
        except yaml.YAMLError as exc:
            line, problem = yaml_problem(exc)
            where = f" line {line}" if line is not None else ""
            key = getattr(exc, "key", None)
            if key:
                what = f"sidecar {sidecar.name}{where}, key {key!r}"
            else:
                what = f"malformed sidecar {sidecar.name}{where}"
            raise SkipFile(f"{what}: {problem}") from None
        if meta is None:
            return {}
        if not isinstance(meta, dict):
            raise SkipFile(f"sidecar {sidecar.name} must be a mapping of keys to values")
        return meta
    return {}


# --------------------------------------------------------------------------- JSON Lines


def read_jsonl_file(path: Path, data: bytes) -> list[RawArticle | SkipFile]:
    """One article per non-blank line; bad lines become per-line warnings."""
    text = decode_utf8(data)
    if not text.strip():
        raise SkipFile("empty file")
    out: list[RawArticle | SkipFile] = []
    # only LF ends a record: U+2028 and friends are legal inside JSON strings
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            out.append(jsonl_record(line, number, path.stem))
        except SkipFile as exc:
            out.append(exc)
    return out


def jsonl_record(line: str, number: int, stem: str) -> RawArticle:
    """Parse one JSON Lines record into a :class:`RawArticle`.

    Raises
    ------
    SkipFile
        For invalid JSON, a non-object, or a missing or empty ``text``; carries the line.
    """
    try:
        record = json.loads(line, strict=False)  # raw controls in strings: cleaned later
    except json.JSONDecodeError as exc:
        raise SkipFile(f"invalid JSON: {exc.msg} (column {exc.colno})", number) from None
    except ValueError as exc:  # an integer of more than 4,300 digits: Python refuses to read it
        raise SkipFile(f"unreadable JSON value: {str(exc).split(';')[0]}", number) from None
    except RecursionError:  # arrays or objects nested thousands deep
        raise SkipFile("JSON nested too deeply", number) from None
    if too_deep(record):  # parsed, but deeper than any metadata and than cleaning should walk
        raise SkipFile(f"JSON nested more than {MAX_NESTING} levels deep", number)
    if not isinstance(record, dict):
        raise SkipFile(f"expected a JSON object, got {type(record).__name__}", number)
    body = record.pop("text", None)
    if not isinstance(body, str) or not body.strip():
        raise SkipFile("missing or empty 'text' (the article body)", number)
    article_id = record.pop("id", None)
    if article_id is None or str(article_id).strip() == "":
        article_id = f"{stem}-{number}"
    return RawArticle(
        id=str(article_id).strip(),
        meta=record,
        body=body,
        body_line=number,
        line=number,
        one_line=True,  # the body's paragraph breaks are inside one JSON string on this line
    )


# --------------------------------------------------------------------------- readers


def read_text_file(path: Path, data: bytes) -> list[RawArticle]:
    """Read a ``.md``/``.txt`` article: UTF-8, optional ``---`` YAML front matter."""
    text = clean_text(decode_utf8(data))  # before YAML, which rejects control characters
    if not text.strip():
        raise SkipFile("empty file")
    meta, body, body_line, key_lines = split_front_matter(text)
    return [RawArticle(path.stem, meta, body, body_line, meta_lines=key_lines)]


def decode_utf8(data: bytes) -> str:
    """Decode UTF-8 (a BOM is allowed); on failure name the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SkipFile(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", line) from None


def split_front_matter(text: str) -> tuple[dict[str, Any], str, int, dict[str, int]]:
    """Split ``---``-delimited YAML front matter from the body.

    Returns the metadata mapping, the body, the file line on which the body starts and the
    file line of each metadata key.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, text, 1, {}
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")), 0)
    if not end:
        raise SkipFile("front matter opened with '---' but never closed", 1)
    try:
        meta, lines_in_yaml = load_yaml("".join(lines[1:end]))
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        # the YAML starts on the file's second line, after the opening '---'
        key = getattr(exc, "key", None)
        what = f"front matter key {key!r}" if key else "malformed front matter"
        raise SkipFile(f"{what}: {problem}", line + 1 if line else 1) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise SkipFile("front matter must be a mapping of keys to values", 2)
    key_lines = {key: line + 1 for key, line in lines_in_yaml.items()}
    return meta, "".join(lines[end + 1 :]), end + 2, key_lines

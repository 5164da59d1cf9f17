"""Test data for evaluation: test collections and question sets, read and checked.

Two kinds of test input are read here.

**Test collections** (``python -m bot eval --corpus ... --queries ... --qrels ...``):

* documents: JSON Lines, one ``{"id": str, "text": str, "title": str (optional)}`` per line;
* queries: JSON Lines, one ``{"id": str, "text": str}`` per line;
* qrels: TREC format, ``qid 0 docid grade`` per line (grade > 0 is relevant, higher is better;
  grades <= 0 are kept as judged non-relevant).

``bench/ir_convert.py`` writes these for the shared Vaswani and Cranfield collections.

**Question sets** (``python -m bot eval tests/questions.yaml``): a YAML mapping with a
``questions`` list and an optional default ``article``::

    article: 000_e64bdc90510bce59      # default article id for answers that omit it
    questions:
      - id: summit-where               # optional; defaults to q1, q2, ... by position
        q: where did trump and kim hold there first summit
        answers:                       # any passage matching one of these answers the question
          - {paragraph: 4}             # article id (default above) + paragraph number, as the
                                       # bot cites it (Passage.paragraph)
          - {article: other_id, paragraph: 2, grade: 2}  # optional grade (default 1) for nDCG
          - {contains: "summit in Singapore"}  # any passage whose text contains this phrase
        sentence: "held a historic summit in Singapore"  # optional: a phrase of the sentence a
                                       # reader would pick as the answer
      - q: who won the 2018 world cup
        unanswerable: true             # the corpus cannot answer it: the bot should refuse

Each question has ``q`` and either a non-empty ``answers`` list or ``unanswerable: true`` (not
both). Phrase matching (``contains``, ``sentence``) ignores case, runs of white space and the
difference between straight and curly quotes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import TalksBotError


class EvaluationError(TalksBotError):
    """A test file (documents, queries, qrels, question set) is missing or malformed."""


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Document:
    """One document of a test collection."""

    id: str
    text: str
    title: str = ""


@dataclass(frozen=True)
class Query:
    """One query of a test collection."""

    id: str
    text: str


@dataclass(frozen=True)
class Gold:
    """One way a passage can answer a question: by position, or by containing a phrase.

    Exactly one of ``paragraph`` (with ``article``) or ``contains`` is set.
    """

    article: str | None = None
    paragraph: int | None = None
    contains: str | None = None
    grade: int = 1


@dataclass(frozen=True)
class Question:
    """One question of a question set."""

    id: str
    q: str
    answers: tuple[Gold, ...] = ()
    sentence: str | None = None
    unanswerable: bool = False


# --------------------------------------------------------------------------- text matching

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Lower-case, straighten quotes and collapse white space, for phrase matching."""
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip().casefold()


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether *text* contains *phrase*, ignoring case, spacing and quote style."""
    return normalize_text(phrase) in normalize_text(text)


# --------------------------------------------------------------------------- loaders


def _read(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EvaluationError(f"file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationError(f"cannot read {path}: {exc}") from None


def _jsonl(path: Path, required: Sequence[str]) -> Iterable[dict[str, Any]]:
    for number, line in enumerate(_read(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise EvaluationError(f"{path}:{number}: expected a JSON object")
        missing = [key for key in required if key not in row]
        if missing:
            raise EvaluationError(f"{path}:{number}: missing {', '.join(missing)}")
        yield row


def load_documents(path: Path) -> list[Document]:
    """Read a JSON Lines file of ``{"id", "text", "title"?}`` documents."""
    docs = [
        Document(str(row["id"]), str(row["text"] or ""), str(row.get("title") or ""))
        for row in _jsonl(path, ("id", "text"))
    ]
    seen: set[str] = set()
    for doc in docs:
        if doc.id in seen:
            raise EvaluationError(f"{path}: duplicate document id {doc.id!r}")
        seen.add(doc.id)
    return docs


def load_queries(path: Path) -> list[Query]:
    """Read a JSON Lines file of ``{"id", "text"}`` queries."""
    return [Query(str(row["id"]), str(row["text"])) for row in _jsonl(path, ("id", "text"))]


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Read TREC qrels (``qid iteration docid grade``) into ``{qid: {docid: grade}}``."""
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(_read(path).splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise EvaluationError(f"{path}:{number}: expected 'qid 0 docid grade', got {line!r}")
        qid, _, docid, grade = parts
        try:
            qrels.setdefault(qid, {})[docid] = int(grade)
        except ValueError:
            raise EvaluationError(f"{path}:{number}: grade {grade!r} is not an integer") from None
    return qrels


def _gold(raw: Any, default_article: str | None, where: str) -> Gold:
    if not isinstance(raw, Mapping):
        raise EvaluationError(f"{where}: an answer must be a mapping, got {raw!r}")
    unknown = set(raw) - {"article", "paragraph", "contains", "grade"}
    if unknown:
        raise EvaluationError(
            f"{where}: unknown answer key(s) {sorted(unknown)}; "
            "valid: article, paragraph, contains, grade"
        )
    grade = raw.get("grade", 1)
    if not isinstance(grade, int) or isinstance(grade, bool) or grade < 1:
        raise EvaluationError(f"{where}: grade must be a positive integer, got {grade!r}")
    if "contains" in raw:
        if "paragraph" in raw or not isinstance(raw["contains"], str) or not raw["contains"]:
            raise EvaluationError(f"{where}: 'contains' takes a non-empty phrase, on its own")
        return Gold(contains=raw["contains"], grade=grade)
    paragraph = raw.get("paragraph")
    if not isinstance(paragraph, int) or isinstance(paragraph, bool):
        raise EvaluationError(f"{where}: an answer needs 'paragraph: <int>' or 'contains: <text>'")
    article = raw.get("article", default_article)
    if article is None:
        raise EvaluationError(f"{where}: no 'article' given and no default article at the top")
    return Gold(article=str(article), paragraph=paragraph, grade=grade)


def load_question_set(path: Path) -> list[Question]:
    """Read a YAML question set (format in the module docstring).

    Raises
    ------
    EvaluationError
        If the file is missing or any question is malformed; the message names the question.
    """
    try:
        data = yaml.safe_load(_read(path))
    except yaml.YAMLError as exc:
        raise EvaluationError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("questions"), list):
        raise EvaluationError(f"{path}: expected a mapping with a 'questions' list")
    default_article = data.get("article")
    default_article = None if default_article is None else str(default_article)
    questions: list[Question] = []
    seen: set[str] = set()
    for position, raw in enumerate(data["questions"], 1):
        where = f"{path}: question {position}"
        if not isinstance(raw, Mapping):
            raise EvaluationError(f"{where}: expected a mapping")
        unknown = set(raw) - {"id", "q", "answers", "sentence", "unanswerable"}
        if unknown:
            raise EvaluationError(
                f"{where}: unknown key(s) {sorted(unknown)}; "
                "valid: id, q, answers, sentence, unanswerable"
            )
        qid = str(raw.get("id", f"q{position}"))
        where = f"{path}: question {qid!r}"
        if qid in seen:
            raise EvaluationError(f"{where}: duplicate id")
        seen.add(qid)
        text = raw.get("q")
        if not isinstance(text, str) or not text.strip():
            raise EvaluationError(f"{where}: 'q' must be a non-empty string")
        unanswerable = bool(raw.get("unanswerable", False))
        answers = raw.get("answers") or []
        if not isinstance(answers, list):
            raise EvaluationError(f"{where}: 'answers' must be a list")
        if unanswerable and (answers or raw.get("sentence")):
            raise EvaluationError(f"{where}: an unanswerable question has no answers or sentence")
        if not unanswerable and not answers:
            raise EvaluationError(f"{where}: give 'answers' or mark it 'unanswerable: true'")
        sentence = raw.get("sentence")
        if sentence is not None and (not isinstance(sentence, str) or not sentence.strip()):
            raise EvaluationError(f"{where}: 'sentence' must be a non-empty string")
        questions.append(
            Question(
                id=qid,
                q=text,
                answers=tuple(_gold(a, default_article, where) for a in answers),
                sentence=sentence,
                unanswerable=unanswerable,
            )
        )
    return questions

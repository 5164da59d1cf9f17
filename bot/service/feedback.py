"""Feedback: 👍/👎 votes on answers, appended to a local JSON Lines log, and their summary.

Each vote is one line::

    {"type": "vote", "vote": "down", "question": "...", "passages": ["article#3", ...],
     "time": "2024-03-15T09:30:00+00:00", "answer": "3f2a...", "frontend": "discord"}

``passages`` are the ids (``article-id#paragraph``) of the passages shown, in rank order;
``time`` is UTC. Nothing identifies the voter: no name, no user id.

The log holds votes and nothing else: an answer nobody votes on leaves no trace. Front ends
that put vote buttons on answers keep what a vote will need in an :class:`AnswerMemory`, a
bounded in-memory map from a short answer key to the question and the passages shown, looked
up in O(1) whatever the size of the log. The file is rotated by size
(``feedback.max_bytes``, ``feedback.backups``), so it never grows without bound either.

``python -m bot feedback`` lists the worst-rated questions (:func:`summarise`), which tells the
corpus owner what the articles are missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.config.settings import Settings
from bot.errors import TalksBotError

log = logging.getLogger(__name__)

Vote = Literal["up", "down"]
VOTES: tuple[str, ...] = ("up", "down")


class FeedbackError(TalksBotError):
    """A vote that cannot be recorded (bad value, unwritable log)."""


@dataclass(frozen=True)
class FeedbackRecord:
    """One vote as logged."""

    question: str
    passages: tuple[str, ...]
    vote: Vote
    time: dt.datetime
    answer: str | None = None
    frontend: str | None = None


@dataclass(frozen=True)
class QuestionSummary:
    """Votes on one question (questions are compared case- and space-insensitively)."""

    question: str
    up: int = 0
    down: int = 0
    passages: tuple[str, ...] = ()  # what was shown at the latest vote
    last: dt.datetime | None = None

    @property
    def score(self) -> int:
        return self.up - self.down


@dataclass(frozen=True)
class FeedbackSummary:
    """Totals and the worst-rated questions, worst first."""

    votes: int
    up: int
    down: int
    worst: tuple[QuestionSummary, ...]
    warnings: tuple[str, ...] = ()


def answer_key(question: str, passages: Sequence[str]) -> str:
    """A short stable key for "this question, answered with these passages"."""
    digest = hashlib.sha1(json.dumps([question, list(passages)]).encode("utf-8"))
    return digest.hexdigest()[:12]


class AnswerMemory:
    """Answers shown with vote buttons, by key: what a vote on one of them will log.

    Held in memory only and bounded (the least recently shown are forgotten first), so
    nothing is written until someone votes and memory stays flat however many answers are
    sent. Thread-safe; every operation is O(1).
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = max(1, capacity)
        self._answers: OrderedDict[str, tuple[str, tuple[str, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._answers)

    def remember(self, question: str, passages: Iterable[str]) -> str:
        """Keep an answer for a later vote; returns the key its buttons carry."""
        shown = tuple(passages)
        key = answer_key(question, shown)
        with self._lock:
            self._answers[key] = (question, shown)
            self._answers.move_to_end(key)
            while len(self._answers) > self.capacity:
                self._answers.popitem(last=False)
        return key

    def lookup(self, key: str) -> tuple[str, tuple[str, ...]] | None:
        """The question and passages an answer key stands for (None when forgotten)."""
        with self._lock:
            return self._answers.get(key)


@dataclass
class FeedbackLog:
    """An append-only JSON Lines file of votes, rotated by size.

    Appends are serialised by a lock and written as one ``write`` of one line, so concurrent
    votes never interleave within a line. When a line would take the file past ``max_bytes``
    the file becomes ``<name>.1`` (``.1`` becomes ``.2``, and so on up to ``backups``; the
    oldest is dropped) and a new file starts.
    """

    path: Path
    max_bytes: int = 10_000_000
    backups: int = 3
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackLog:
        """The log named by ``feedback.log`` (relative paths are under ``cache_dir``)."""
        feedback = settings.feedback
        return cls(settings.cache_dir / feedback.log, feedback.max_bytes, feedback.backups)

    # ----------------------------------------------------------------- writing

    def record(
        self,
        question: str,
        passages: Iterable[str],
        vote: str,
        *,
        answer: str | None = None,
        frontend: str | None = None,
        now: dt.datetime | None = None,
    ) -> FeedbackRecord:
        """Append one vote.

        Raises
        ------
        FeedbackError
            For a vote other than ``"up"``/``"down"``, or when the log cannot be written.
        """
        if vote not in VOTES:
            raise FeedbackError(f"vote must be one of {', '.join(VOTES)}, not {vote!r}")
        when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        record = FeedbackRecord(question, tuple(passages), vote, when, answer, frontend)  # type: ignore[arg-type]
        self._append(
            {
                "type": "vote",
                "vote": record.vote,
                "question": record.question,
                "passages": list(record.passages),
                "time": when.isoformat(timespec="seconds"),
                "answer": answer,
                "frontend": frontend,
            }
        )
        return record

    def files(self) -> list[Path]:
        """The log's files that exist, oldest first (rotated ones, then the current one)."""
        rotated = [self._rotated(n) for n in range(self.backups, 0, -1)]
        return [p for p in (*rotated, self.path) if p.exists()]

    def _rotated(self, n: int) -> Path:
        return self.path.with_name(f"{self.path.name}.{n}")

    def _append(self, entry: dict[str, object]) -> None:
        line = (_json_line(entry) + "\n").encode("utf-8", "replace")
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._rotate_for(len(line))
                with self.path.open("ab") as f:
                    f.write(line)
            except OSError as exc:
                raise FeedbackError(f"{self.path}: cannot write feedback: {exc}") from None

    def _rotate_for(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size == 0 or size + incoming <= self.max_bytes:
            return
        if self.backups <= 0:
            self.path.unlink()
            return
        for n in range(self.backups - 1, 0, -1):
            if self._rotated(n).exists():
                os.replace(self._rotated(n), self._rotated(n + 1))
        os.replace(self.path, self._rotated(1))

    # ----------------------------------------------------------------- reading

    def read(self) -> tuple[list[FeedbackRecord], list[str]]:
        """Every vote in the log (rotated files included), and a warning per unreadable line."""
        records: list[FeedbackRecord] = []
        warnings: list[str] = []
        for path in self.files():
            for number, entry in _entries(path, warnings):
                if entry.get("type", "vote") != "vote":
                    continue
                try:
                    records.append(_record(entry))
                except (KeyError, TypeError, ValueError) as exc:
                    warnings.append(f"{path}: entry {number}: {exc}")
        return records, warnings


def _entries(path: Path, warnings: list[str]) -> Iterator[tuple[int, dict[str, object]]]:
    """The JSON objects of one file with their line numbers; a warning per bad line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedbackError(f"{path}: cannot read feedback: {exc}") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            warnings.append(f"{path}:{number}: not JSON ({exc.msg})")
            continue
        if isinstance(entry, dict):
            yield number, entry
        else:
            warnings.append(f"{path}:{number}: not a JSON object")


#: Characters ``json.dumps(ensure_ascii=False)`` leaves raw but ``str.splitlines`` splits on.
_LINE_SPLITTERS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def _json_line(entry: dict[str, object]) -> str:
    """One JSON Lines record, readable (non-ASCII kept) and one line by any reader's rule:
    the line separators JSON allows raw in a string are escaped, and a lone surrogate (a
    question decoded with ``surrogateescape``) cannot reach the file."""
    line = json.dumps(entry, ensure_ascii=False)
    for raw, escaped in _LINE_SPLITTERS.items():
        line = line.replace(raw, escaped)
    return line


def _record(entry: dict[str, object]) -> FeedbackRecord:
    vote = entry["vote"]
    if vote not in VOTES:
        raise ValueError(f"unknown vote {vote!r}")
    when = dt.datetime.fromisoformat(str(entry["time"]))
    if when.tzinfo is None:  # the log writes UTC with its offset; a hand-edited line may not
        when = when.replace(tzinfo=dt.UTC)
    passages = entry.get("passages") or ()
    if not isinstance(passages, (list, tuple)):
        raise TypeError("passages must be a list")
    return FeedbackRecord(
        question=str(entry["question"]),
        passages=tuple(str(p) for p in passages),
        vote=vote,  # type: ignore[arg-type]
        time=when,
        answer=entry.get("answer"),  # type: ignore[arg-type]
        frontend=entry.get("frontend"),  # type: ignore[arg-type]
    )


def summarise(records: Iterable[FeedbackRecord], limit: int = 10) -> FeedbackSummary:
    """Totals, and the questions with most 👎 net of 👍 (only those with a 👎), worst first."""
    by_question: dict[str, QuestionSummary] = {}
    up = down = total = 0
    for r in sorted(records, key=lambda r: r.time):
        total += 1
        up += r.vote == "up"
        down += r.vote == "down"
        key = " ".join(r.question.split()).casefold()
        old = by_question.get(key) or QuestionSummary(r.question)
        by_question[key] = QuestionSummary(
            question=r.question,
            up=old.up + (r.vote == "up"),
            down=old.down + (r.vote == "down"),
            passages=r.passages,
            last=r.time,
        )
    worst = sorted(
        (q for q in by_question.values() if q.down),
        key=lambda q: (q.score, -q.down, q.question.casefold()),
    )
    return FeedbackSummary(total, up, down, tuple(worst[: max(0, limit)]))

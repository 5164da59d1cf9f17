"""Feedback: 👍/👎 votes on answers, appended to a local JSON Lines log, and their summary.

Each vote is one line::

    {"type": "vote", "vote": "down", "question": "...", "passages": ["article#3", ...],
     "time": "2024-03-15T09:30:00+00:00", "answer": "3f2a...", "frontend": "discord"}

``passages`` are the ids (``article-id#paragraph``) of the passages shown, in rank order;
``time`` is UTC. Nothing identifies the voter: no name, no user id.

Buttons on a Discord message must keep working after a restart, but a custom id holds 100
characters, not a question. So when an answer is sent with vote buttons,
:meth:`FeedbackLog.remember` appends a line
``{"type": "shown", "answer": KEY, "question", "passages", "time"}`` and the buttons carry
only ``KEY`` (12 hex digits); :meth:`FeedbackLog.lookup` finds it again, from
memory or, after a restart, from the file.

``python -m bot feedback`` lists the worst-rated questions (:func:`summarise`), which tells the
corpus owner what the articles are missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.config import Settings
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


@dataclass
class FeedbackLog:
    """An append-only JSON Lines file of votes (and of answers shown with vote buttons).

    Appends are serialised by a lock and written as one ``write`` of one line, so concurrent
    votes never interleave within a line.
    """

    path: Path
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _shown: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedbackLog:
        """The log named by ``feedback.log`` (relative paths are under ``cache_dir``)."""
        return cls(settings.cache_dir / settings.feedback.log)

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

    def remember(
        self, question: str, passages: Iterable[str], now: dt.datetime | None = None
    ) -> str:
        """Log an answer shown with vote buttons; returns the key the buttons carry."""
        shown = tuple(passages)
        key = answer_key(question, shown)
        if self._shown.get(key) == (question, shown):
            return key
        when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        self._append(
            {
                "type": "shown",
                "answer": key,
                "question": question,
                "passages": list(shown),
                "time": when.isoformat(timespec="seconds"),
            }
        )
        self._shown[key] = (question, shown)
        return key

    def lookup(self, key: str) -> tuple[str, tuple[str, ...]] | None:
        """The question and passages an answer key stands for (None when unknown)."""
        found = self._shown.get(key)
        if found is not None:
            return found
        for entry in self._entries():
            if entry.get("type") == "shown" and entry.get("answer") == key:
                found = (str(entry.get("question", "")), tuple(entry.get("passages") or ()))
        if found is not None:
            self._shown[key] = found
        return found

    def _append(self, entry: dict[str, object]) -> None:
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(line)
            except OSError as exc:
                raise FeedbackError(f"{self.path}: cannot write feedback: {exc}") from None

    # ----------------------------------------------------------------- reading

    def read(self) -> tuple[list[FeedbackRecord], list[str]]:
        """Every vote in the log, and a warning per unreadable line."""
        records: list[FeedbackRecord] = []
        warnings: list[str] = []
        for number, entry in enumerate(self._entries(warnings), start=1):
            if entry.get("type", "vote") != "vote":
                continue
            try:
                records.append(_record(entry))
            except (KeyError, TypeError, ValueError) as exc:
                warnings.append(f"{self.path}: entry {number}: {exc}")
        return records, warnings

    def _entries(self, warnings: list[str] | None = None) -> Iterable[dict[str, object]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            raise FeedbackError(f"{self.path}: cannot read feedback: {exc}") from None
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:
                if warnings is not None:
                    warnings.append(f"{self.path}:{number}: not JSON ({exc.msg})")
                continue
            if isinstance(entry, dict):
                yield entry
            elif warnings is not None:
                warnings.append(f"{self.path}:{number}: not a JSON object")


def _record(entry: dict[str, object]) -> FeedbackRecord:
    vote = entry["vote"]
    if vote not in VOTES:
        raise ValueError(f"unknown vote {vote!r}")
    when = dt.datetime.fromisoformat(str(entry["time"]))
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

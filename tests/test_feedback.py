"""Feedback votes (bot.service.feedback): the JSON Lines log, answer keys that survive a restart,
the
summary of worst-rated questions, and the ``feedback`` command and console votes."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from bot.cli import main as cli
from bot.frontends.console.console import Console
from bot.service.answer_service import AnswerService
from bot.service.feedback import (
    AnswerMemory,
    FeedbackError,
    FeedbackLog,
    answer_key,
    summarise,
)
from tests.newsdata import NEWS, WIRE_QUESTION, news_settings

T0 = dt.datetime(2024, 3, 15, 9, 30, tzinfo=dt.UTC)


def test_a_vote_lands_in_the_log_as_one_json_line(tmp_path: Path):
    log = FeedbackLog(tmp_path / "sub" / "feedback.jsonl")
    log.record("Who signed?", ["zorblax-gazette#1", "courier-talks-open#2"], "down", now=T0)
    (line,) = (tmp_path / "sub" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    entry = json.loads(line)
    assert entry == {
        "type": "vote",
        "vote": "down",
        "question": "Who signed?",
        "passages": ["zorblax-gazette#1", "courier-talks-open#2"],
        "time": "2024-03-15T09:30:00+00:00",
        "answer": None,
        "frontend": None,
    }


def test_times_are_utc(tmp_path: Path):
    log = FeedbackLog(tmp_path / "f.jsonl")
    plus_two = dt.timezone(dt.timedelta(hours=2))
    record = log.record("q", [], "up", now=dt.datetime(2024, 1, 1, 12, 0, tzinfo=plus_two))
    assert record.time == dt.datetime(2024, 1, 1, 10, 0, tzinfo=dt.UTC)
    assert log.read()[0][0].time.utcoffset() == dt.timedelta(0)


def test_only_up_and_down_are_votes(tmp_path: Path):
    with pytest.raises(FeedbackError, match="up, down"):
        FeedbackLog(tmp_path / "f.jsonl").record("q", [], "meh")


def test_an_unwritable_log_is_a_feedback_error(tmp_path: Path):
    (tmp_path / "file").write_text("")
    with pytest.raises(FeedbackError, match="cannot write"):
        FeedbackLog(tmp_path / "file" / "f.jsonl").record("q", [], "up")


def test_answers_are_remembered_in_memory_only_and_bounded(tmp_path: Path):
    memory = AnswerMemory(capacity=3)
    key = memory.remember(WIRE_QUESTION, ["gazette-lamplighters#1"])
    assert key == answer_key(WIRE_QUESTION, ["gazette-lamplighters#1"]) and len(key) == 12
    assert memory.lookup(key) == (WIRE_QUESTION, ("gazette-lamplighters#1",))
    assert memory.lookup("000000000000") is None
    others = [memory.remember(f"Question {i}?", []) for i in range(3)]
    assert len(memory) == 3  # the oldest answer made room
    assert memory.lookup(key) is None and memory.lookup(others[-1]) == ("Question 2?", ())
    assert list(tmp_path.iterdir()) == []  # nothing written: nobody voted


def test_the_log_rotates_by_size_and_reads_across_files(tmp_path: Path):
    path = tmp_path / "f.jsonl"
    log = FeedbackLog(path, max_bytes=1024, backups=2)
    for i in range(40):
        log.record(f"Question {i:02d} about the lighthouse?", [f"a#{i}"], "down", now=T0)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["f.jsonl", "f.jsonl.1", "f.jsonl.2"]  # the oldest file was dropped
    assert all(p.stat().st_size <= 1024 for p in tmp_path.iterdir())
    records, warnings = log.read()
    questions = [r.question for r in records]
    assert questions == sorted(questions) and questions[-1].startswith("Question 39")
    assert 0 < len(records) < 40 and warnings == []


def test_summary_lists_the_worst_rated_questions_first(tmp_path: Path):
    log = FeedbackLog(tmp_path / "f.jsonl")
    for i, (question, vote) in enumerate(
        [
            ("Who won the eel race?", "down"),
            ("who won the  EEL race?", "down"),  # the same question, typed differently
            ("Who won the eel race?", "up"),
            ("Where is the lighthouse?", "down"),
            ("Where is the lighthouse?", "down"),
            ("Where is the lighthouse?", "down"),
            ("Who signed the accord?", "up"),
        ]
    ):
        log.record(question, [f"a#{i}"], vote, now=T0 + dt.timedelta(minutes=i))
    (tmp_path / "f.jsonl").open("a").write("not json\n")
    records, warnings = log.read()
    summary = summarise(records)
    assert (summary.votes, summary.up, summary.down) == (7, 2, 5)
    assert [(q.question, q.down, q.up) for q in summary.worst] == [
        ("Where is the lighthouse?", 3, 0),
        ("Who won the eel race?", 2, 1),
    ]
    assert summary.worst[0].passages == ("a#5",)  # what was shown at the latest vote
    assert warnings == [f"{tmp_path / 'f.jsonl'}:8: not JSON (Expecting value)"]


def test_feedback_command(tmp_path: Path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.record("Where is the lighthouse?", ["zorblax-gazette#1"], "down", now=T0)
    out = io.StringIO()
    code = cli.main(
        ["--set", f"corpus.path={NEWS}", "--set", f"cache_dir={tmp_path}", "feedback"], stdout=out
    )
    assert code == 0
    text = out.getvalue()
    assert "1 vote(s): 0 👍, 1 👎" in text
    assert "-1  👎1 👍0  Where is the lighthouse?" in text
    assert "shown: zorblax-gazette#1" in text


def test_console_votes_land_in_the_log_without_a_name(tmp_path: Path):
    service = AnswerService(news_settings(tmp_path))
    out = io.StringIO()
    lines = f":good\n{WIRE_QUESTION}\n:bad\n"
    Console(service, stdin=io.StringIO(lines), stdout=out, interactive=False).run()
    assert "Ask a question first" in out.getvalue() and "Thanks, noted." in out.getvalue()
    records, _ = FeedbackLog.from_settings(service.settings).read()
    (record,) = records
    assert record.vote == "down" and record.question == WIRE_QUESTION
    assert record.passages[0] == "gazette-lamplighters#1"
    raw = (tmp_path / "feedback.jsonl").read_text()
    assert "user" not in raw and "name" not in raw

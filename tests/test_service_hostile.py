"""The service under input that is not quite text: bytes that were not UTF-8 (decoded with
``surrogateescape``, as a pipe or a pasted line may be), line separators JSON leaves raw, and a
hand-edited feedback log. One such question or line must cost nothing but itself."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from bot.cli import main as cli
from bot.service.answer_service import AnswerService
from bot.service.feedback import FeedbackLog, summarise

NOT_UTF8 = b"\xff summit".decode("utf-8", "surrogateescape")  # a lone surrogate, "\udcff"


def test_a_question_with_bytes_that_were_not_utf8_is_answered(service: AnswerService) -> None:
    answer = service.answer(f"{NOT_UTF8}: where did trump and kim hold their first summit")
    assert answer.answered
    assert "\udcff" not in answer.question
    timeline = service.timeline(f"{NOT_UTF8} letter")
    assert "\udcff" not in timeline.topic


def test_a_vote_on_such_a_question_is_logged(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.record(f"what {NOT_UTF8} happened", ["a#1"], "down")
    (record,), warnings = log.read()
    assert warnings == []
    assert record.question.startswith("what ") and record.question.endswith("happened")


def test_line_separators_in_a_question_keep_the_vote_on_one_line(tmp_path: Path) -> None:
    """``json.dumps`` leaves U+2028, U+2029 and U+0085 raw; ``str.splitlines`` splits on them."""
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.record("what\u2028happened\u2029next\x85then", ["a#1"], "up")
    lines = (tmp_path / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert (
        len(lines) == 1
        and json.loads(lines[0])["question"] == "what\u2028happened\u2029next\x85then"
    )
    (record,), warnings = log.read()
    assert warnings == [] and record.vote == "up"


def test_a_hand_written_time_without_a_zone_is_read_as_utc(tmp_path: Path) -> None:
    """The log writes UTC with its offset; a line without one must neither be lost nor crash
    the summary, which sorts by time."""
    path = tmp_path / "feedback.jsonl"
    log = FeedbackLog(path)
    log.record("first", ["a#1"], "up", now=dt.datetime(2024, 3, 15, 9, 0, tzinfo=dt.UTC))
    with path.open("a", encoding="utf-8") as f:
        f.write(
            '{"vote": "down", "question": "q", "passages": [], "time": "2024-03-15T09:30:00"}\n'
        )
    records, warnings = log.read()
    assert warnings == []
    assert records[1].time == dt.datetime(2024, 3, 15, 9, 30, tzinfo=dt.UTC)
    assert summarise(records).votes == 2


def test_the_feedback_command_reads_such_a_log(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "feedback.jsonl"
    path.parent.mkdir()
    path.write_text(
        '{"vote": "down", "question": "q", "passages": [], "time": "2024-03-15T09:30:00"}\n'
        '{"vote": "up", "question": "q", "passages": [], "time": "2024-03-15T10:30:00+00:00"}\n',
        encoding="utf-8",
    )
    out = io.StringIO()
    code = cli.main(["--set", f"cache_dir={tmp_path / 'cache'}", "feedback"], stdout=out)
    assert code == 0, out.getvalue()
    assert "2" in out.getvalue()

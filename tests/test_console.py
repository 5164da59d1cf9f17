"""The console through a pipe (plain text) and as a terminal (a pseudo-terminal)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.frontends.console.console import Console
from tests.conftest import REPO


def converse(service, text: str, **kwargs) -> str:
    out = io.StringIO()
    code = Console(service, stdin=io.StringIO(text), stdout=out, **kwargs).run()
    assert code == 0
    return out.getvalue()


def test_piped_console_answers_one_question_per_line(service):
    out = converse(
        service,
        "Where did Trump and Kim hold their first summit?\nWhat is the capital of France?\n",
    )
    first, second = out.split("Q: ")[1:]
    assert "Singapore" in first and "¶4" in first
    assert "don't answer that" in second
    assert "\x1b[" not in out  # no colour through a pipe


def test_console_commands(service):
    out = converse(service, ":help\n:sources\n:nope\n:quit\nnever answered\n")
    assert ":sources" in out
    assert "2018" in out and "White House welcomes" in out
    assert "Unknown command :nope" in out
    assert "never answered" not in out


def test_piped_console_does_not_wrap(service):
    """Through a pipe each quoted passage is one line, for grep and scripts."""
    question = "Where did Trump and Kim hold their first summit?"
    out = converse(service, question + "\n")
    first = service.answer(question).passages[0].passage.text
    assert f"[1] {' '.join(first.split())}" in out.splitlines()
    assert len(first) > 88  # long enough that the old fixed wrapping would have cut it


def test_console_wraps_at_the_width_it_is_given(service):
    out = converse(service, "Where did Trump and Kim hold their first summit?\n", wrap_width=40)
    lines = out.splitlines()
    quoted = [line for line in lines if line.startswith(("[", "    ")) and "—" not in line]
    assert len(quoted) > 3
    assert all(len(line) <= 40 for line in quoted), quoted


def test_colour_when_asked(service):
    out = converse(service, "Who is Stephen Biegun?\n", color=True)
    assert "\x1b[1;33m" in out


def test_console_subprocess_through_a_pipe_exits_zero_at_eof():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input="Where did Trump and Kim hold their first summit?\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Singapore" in result.stdout and "¶4" in result.stdout


def spawn_console(history: Path, **kwargs: Any) -> Any:
    """``python -m bot console`` on a pseudo-terminal (of ``dimensions``, else 24 x 80)."""
    import pexpect

    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return pexpect.spawn(
        sys.executable,
        ["-m", "bot", "--set", f"console.history_file={history}", "console"],
        cwd=str(REPO),
        encoding="utf-8",
        timeout=60,
        env={**env, "TERM": "xterm"},
        **kwargs,
    )


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_interactive_console_on_a_terminal(tmp_path):
    import pexpect

    history = tmp_path / "history"
    child = spawn_console(history)
    child.expect("ask> ")
    child.sendline("Who is Stephen Biegun?")
    child.expect("Biegun")
    child.expect("ask> ")
    child.sendline(":quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Who is Stephen Biegun?" in history.read_text()


ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_interactive_console_wraps_at_the_terminal_width(tmp_path):
    """On a 50-column terminal, quoted text (coloured) wraps at 50 columns."""
    import pexpect

    child = spawn_console(tmp_path / "history", dimensions=(24, 50))
    child.expect("ask> ")
    child.sendline("Where did Trump and Kim hold their first summit?")
    child.expect("ask> ")
    raw = child.before
    answer = ANSI.sub("", raw)
    child.sendline(":quit")
    child.expect(pexpect.EOF)
    lines = [line for line in answer.splitlines() if line.startswith(("[", "    "))]
    quoted = [line for line in lines if "—" not in line]  # citations are not wrapped
    assert "\x1b[1;33m" in raw and "Singapore" in answer  # coloured, and the answer
    assert all(len(line) <= 50 for line in quoted), quoted

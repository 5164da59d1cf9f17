"""The console through a pipe (plain text) and as a terminal (a pseudo-terminal)."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.frontends.console.console import Console
from tests.conftest import INVENTED, REPO
from tests.test_watch import NEW_ARTICLE


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


def spawn_console(history: Path, *overrides: str, **kwargs: Any) -> Any:
    """``python -m bot [--set OVERRIDE]... console`` on a pseudo-terminal (of ``dimensions``,
    else 24 x 80)."""
    import pexpect

    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    sets = [arg for override in overrides for arg in ("--set", override)]
    return pexpect.spawn(
        sys.executable,
        ["-m", "bot", "--set", f"console.history_file={history}", *sets, "console"],
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


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_interactive_console_picks_up_a_new_article_and_says_so_at_the_next_prompt(tmp_path):
    """An article file saved while the console runs is answered from, with no :reload, and the
    reload notice is printed on its own line just before a prompt (never into typing)."""
    import pexpect

    corpus = tmp_path / "corpus"
    shutil.copytree(INVENTED, corpus)
    child = spawn_console(
        tmp_path / "history", f"corpus.path={corpus}", f"cache_dir={tmp_path / 'cache'}"
    )
    child.expect("ask> ")
    staged = corpus / ".gloombridge.md.tmp"  # written whole, then renamed, as `add` does
    staged.write_text(NEW_ARTICLE, encoding="utf-8")
    staged.replace(corpus / "gloombridge.md")
    transcript = ""
    for _ in range(150):  # until answered from the new article; the bound only ends a failure
        child.sendline("Why did the Gloombridge ferrymen end their strike?")
        child.expect("ask> ")
        transcript += ANSI.sub("", child.before) + "ask> "
        if "Gloombridge ferry strike ends" in child.before:
            break
        time.sleep(0.2)
    assert "Gloombridge ferry strike ends" in transcript, transcript  # the new article, cited
    child.sendline(":quit")
    child.expect(pexpect.EOF)
    transcript += ANSI.sub("", child.before)
    child.close()
    assert child.exitstatus == 0
    # The notice: 7 articles now (6 invented + 1), on its own line, right before a prompt.
    notice = re.compile(r"(?m)^\(Reloaded 7 articles \(\d+ passages[^\n]*\)\r?\nask> ")
    assert notice.search(transcript), transcript


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_until_waiting_for_keys(pid: int) -> None:
    """Until the process's main thread sleeps in select/poll, waiting for the next key.

    A Ctrl-C that lands while CPython's readline is between noticing input and reading it is
    lost until the next key (GNU readline retries the interrupted read), and one that lands
    just before it starts waiting likewise: no person types that fast, a test does. Without
    /proc (not Linux) this returns at once.
    """
    stat, wchan = Path(f"/proc/{pid}/stat"), Path(f"/proc/{pid}/wchan")
    deadline = time.monotonic() + 20  # bounds a failing test only
    while wchan.exists() and time.monotonic() < deadline:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
        if state == "S" and ("poll" in (where := wchan.read_text()) or "select" in where):
            return
        time.sleep(0.01)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_ctrl_c_at_the_prompt_gives_a_fresh_prompt_and_the_console_goes_on(tmp_path):
    """As in a shell: Ctrl-C at the prompt drops what was typed, and the console keeps
    answering (it does not exit 130 as a Ctrl-C elsewhere would)."""
    import pexpect

    history = tmp_path / "history"
    # As on a terminal: Ctrl-C has its default action even where pytest runs with SIGINT
    # ignored (a background job of a script), which Python would otherwise inherit.
    child = spawn_console(history, preexec_fn=_default_sigint)
    child.expect("ask> ")
    child.send("half a question")
    child.expect("half a question")  # echoed: readline has taken every key
    wait_until_waiting_for_keys(child.pid)
    child.sendintr()
    child.expect("ask> ")
    child.sendline("Who is Stephen Biegun?")
    child.expect("Biegun")
    child.expect("ask> ")
    child.sendline(":quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "interrupted" not in child.before
    asked = history.read_text(encoding="utf-8").splitlines()
    assert "Who is Stephen Biegun?" in asked  # what was typed before Ctrl-C was dropped
    assert not [line for line in asked if "half a question" in line]

"""Faults outside talks-bot's control end a CLI run with one line on stderr, never a traceback.

In-process: each kind of exception a command can meet (config, corpus, network, files, memory, a
bug) maps to one line and its exit status (bot.cli.faults). As real processes: Ctrl-C, SIGTERM,
SIGHUP and a closed pipe end the run by that signal after (at most) one line, and a terminal
that cannot encode the output still gets it.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from bot.cli import faults
from bot.cli.main import main
from bot.errors import ConfigError, CorpusError
from tests.conftest import REPO

WRAPPED_DNS = OSError("Cannot connect to host x.invalid:443")  # as aiohttp wraps it
WRAPPED_DNS.__cause__ = socket.gaierror(-2, "Name or service not known")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, stdin=io.StringIO(""), stdout=out)
    return code, out.getvalue(), capsys.readouterr().err


def one_line(err: str) -> str:
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("talks-bot: "), err
    return err


@pytest.mark.parametrize(
    ("fault", "status", "words"),
    [
        (ConfigError("answer.topk: unknown key"), 2, "error: answer.topk: unknown key"),
        (CorpusError("no articles could be loaded"), 2, "error: no articles could be loaded"),
        (socket.gaierror(-2, "Name or service not known"), 2, "name lookup (DNS) failed"),
        (ConnectionRefusedError(111, "Connection refused"), 2, "network: connection refused"),
        (TimeoutError("no reply in 30 s"), 2, "network: timed out: no reply in 30 s"),
        (WRAPPED_DNS, 2, "network: name lookup (DNS) failed: Cannot connect to host x.invalid"),
        (PermissionError(13, "Permission denied", "/srv/x"), 2, "/srv/x: permission denied"),
        (MemoryError(), 2, "error: out of memory"),
        (RuntimeError("oops"), 1, "internal error: RuntimeError: oops (a bug in talks-bot"),
    ],
)
def test_a_fault_is_one_line_and_its_exit_status(fault, status, words, monkeypatch, capsys):
    def fail(_settings):
        raise fault

    monkeypatch.setattr("bot.cli.runtime.make_service", fail)
    code, out, err = run(["ask", "letter"], capsys)
    assert (code, out) == (status, "")
    assert words in one_line(err)


def test_error_lines_carry_no_control_characters(monkeypatch, capsys):
    def fail(_settings):
        raise CorpusError("bad file \x1b]0;pwned\x07\x1b[2J name\nsecond line")

    monkeypatch.setattr("bot.cli.runtime.make_service", fail)
    code, _, err = run(["ask", "letter"], capsys)
    assert code == 2 and "\x1b" not in err and "\x07" not in err
    assert "second line" in one_line(err)


def test_ctrl_c_in_process_is_130_and_one_line(monkeypatch, capsys):
    def interrupt(_settings):
        raise KeyboardInterrupt

    monkeypatch.setattr("bot.cli.runtime.make_service", interrupt)
    code, _, err = run(["ask", "letter"], capsys)
    assert code == 130 and one_line(err) == "talks-bot: interrupted\n"


def test_sigterm_in_process_is_143_and_the_handler_is_restored(monkeypatch, capsys):
    before = signal.getsignal(signal.SIGTERM)

    def terminate(_settings):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises long before this ends
        raise AssertionError("SIGTERM did not stop the command")

    monkeypatch.setattr("bot.cli.runtime.make_service", terminate)
    code, _, err = run(["ask", "letter"], capsys)
    assert code == 143 and one_line(err) == "talks-bot: stopped by SIGTERM\n"
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_broken_pipe_on_a_closed_stdout_is_silent(monkeypatch, capsys):
    class Closed(io.StringIO):
        def write(self, _text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    code = main(["ask", "Who is Stephen Biegun?"], stdin=io.StringIO(), stdout=Closed())
    assert code == 128 + faults.SIGPIPE and capsys.readouterr().err == ""


# --------------------------------------------------------------------------- real processes


def start(*argv: str) -> subprocess.Popen[str]:
    """``python -m bot ARGV`` with pipes, once it has answered a first question (so a signal
    lands while it waits for the next one, the corpus loaded)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *argv],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("Who is Stephen Biegun?\n")
    process.stdin.flush()
    assert process.stdout.readline().startswith("Q: Who is Stephen Biegun?")
    return process


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
@pytest.mark.parametrize(
    ("signum", "line"),
    [
        (signal.SIGINT, "talks-bot: interrupted\n"),
        (signal.SIGTERM, "talks-bot: stopped by SIGTERM\n"),
        (signal.SIGHUP, "talks-bot: stopped by SIGHUP\n"),
    ],
)
def test_a_signal_ends_the_process_by_that_signal_after_one_line(signum, line):
    process = start("console")
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert err == line
    assert process.returncode == -signum  # what a shell shows as 128 + N


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_a_reader_that_goes_away_ends_the_process_silently():
    """``talks-bot ask - | head -1``: once ``head`` exits, talks-bot stops, by SIGPIPE, and
    prints nothing (no "Exception ignored ... BrokenPipeError")."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "-"],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin and process.stdout and process.stderr
    process.stdin.write("Who is Stephen Biegun?\n")
    process.stdin.flush()
    assert process.stdout.readline().startswith("[1] ")
    process.stdout.close()  # the reader goes away
    process.stdin.write("Who is Stephen Biegun?\n" * 50)
    process.stdin.close()
    assert process.wait(timeout=60) == -signal.SIGPIPE
    assert process.stderr.read() == ""


def test_a_terminal_that_cannot_show_the_output_still_gets_it():
    """With an ASCII-only stdout, "¶" and "—" become "?" instead of a UnicodeEncodeError."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "Who is Stephen Biegun?"],
        cwd=REPO,
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr and b"?19" in result.stdout

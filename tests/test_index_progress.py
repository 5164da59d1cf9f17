"""A long cold start: one progress bar through every phase, and a clean Ctrl-C."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import bot.progress as progress_module
from bot.progress import Progress

REPO = Path(__file__).resolve().parent.parent
ZORBLAX = REPO / "tests" / "fixtures" / "zorblax"

#: Analyses in forked workers that signal once they are busy, then hang until interrupted.
_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from bot.index import parallel

    marker = Path(sys.argv[1])

    def busy(batch):
        marker.touch()
        time.sleep(600)

    parallel.PARALLEL_MIN = 1
    parallel.workers = lambda: 2
    parallel._analyse_batch = busy
    from bot.cli.main import main

    sys.exit(main(["--set", f"corpus.path={sys.argv[2]}", "--set", f"cache_dir={sys.argv[3]}",
                   "ask", "where was the accord signed"]))
    """
)


def test_ctrl_c_while_analysing_exits_cleanly(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole foreground process group: the parent stops the pool and exits
    with 130; no worker prints a traceback and none is left behind."""
    corpus = tmp_path / "corpus"
    shutil.copytree(ZORBLAX, corpus)
    marker = tmp_path / "workers-busy"
    proc = subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, str(marker), str(corpus), str(tmp_path / "cache")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), proc.stderr.read() if proc.stderr else ""
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert "ForkPoolWorker" not in stderr
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # no worker outlived the parent


def test_one_bar_through_every_phase(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Off a terminal, a job's counts and phases are log lines of the same job."""
    monkeypatch.setattr(progress_module, "PROGRESS_MIN", 10)
    with (
        caplog.at_level(logging.INFO, logger="bot.progress"),
        Progress(100, "indexing") as bar,
    ):
        for _ in range(100):
            bar.update(1)
        bar.phase("committing the index")
        bar.phase("finding syndicated copies")
    lines = [r.getMessage() for r in caplog.records]
    assert all(line.startswith("indexing: ") for line in lines)
    assert lines[-2].startswith("indexing: committing the index")
    assert lines[-1].startswith("indexing: finding syndicated copies")


def test_the_bar_hears_of_whole_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rate estimated from the first passage alone would promise days: updates reach the
    bar in steps of at least half a percent."""
    steps: list[int] = []

    class Bar:
        def update(self, n: int) -> None:
            steps.append(n)

        def close(self) -> None:
            pass

    bar = Progress(100_000, "indexing")
    monkeypatch.setattr(bar, "_show", lambda: Bar())
    for _ in range(2_000):
        bar.update(1)
    bar.close()
    assert steps and min(steps) >= 500
    assert sum(steps) == 2_000

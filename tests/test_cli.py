"""The CLI, called as ``main([...])`` with captured streams, and once as a real subprocess."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from bot.cli.main import build_parser, main
from tests.conftest import REPO


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
        "title": passage["article"]["title"],
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
    assert [o["answered"] for o in objects] == [True, False, True]
    assert objects[1]["passages"] == [] and objects[1]["message"]


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


def test_ask_top_is_validated(capsys):
    code, _ = run(["ask", "--top", "50", "letter"])
    assert code == 2
    assert "--top must be between 1 and 10" in capsys.readouterr().err


def test_check_prints_statistics():
    code, out = run(["check"])
    assert code == 0
    assert "articles:   1" in out and "passages:   23" in out
    assert "vocabulary:" in out


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


def test_every_command_has_help_text():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, choice in sub.choices.items():
        assert choice.description or sub._name_parser_map[name].format_help(), name
    helps = {action.dest: action.help for action in sub._choices_actions}
    assert all(helps.values()), helps


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

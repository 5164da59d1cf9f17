"""Fuzz harness: hostile corpus folders and questions through ``check``, ``ask``, ``ask --json``
and the console.

Hypothesis builds a corpus folder beside one good article: files of random bytes, text in other
encodings, broken front matter, JSON Lines and HTML with escape sequences and C0/C1 controls,
NUL files, empty files, a huge line, file names with escape sequences in them, nested folders,
and links (to the good file, dangling, a loop, to a folder, to /dev/zero, to /dev/null) and a
FIFO. The properties, for every command:

- no traceback, and the exit status is 0 (a bad file is a warning, never a failed run);
- nothing written to stdout or stderr carries a control character (but tab and line feed);
- the good article still loads beside the bad ones, and still answers its question.

The commands run in process (``main(argv, stdin, stdout)``) for speed; a few runs of
``python -m bot`` over a hand-built worst-case folder check the same as real processes.

Bounded for CI: ``derandomize=True`` and no example database, so every run tries the same
examples; ``TALKS_BOT_FUZZ_EXAMPLES`` sets how many (default 60), and ``TALKS_BOT_FUZZ_RANDOM=1``
draws new ones, for a longer hunt on a developer's machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from bot.cli.main import main
from tests.conftest import REPO

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
GOOD = "The Zorblax Accord was signed on a teapot by the Quillmoot delegation.\n"
GOOD_QUESTION = "Where was the Zorblax Accord signed?"
ESCAPES = ["\x1b[2J", "\x1b]0;pwned\x07", "\x9b31m", "\x1bP+q\x1b\\", "\r", "\x00", "\x85", "\x08"]

FUZZ = hsettings(
    max_examples=int(os.environ.get("TALKS_BOT_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=not os.environ.get("TALKS_BOT_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

words = st.sampled_from(
    ["Zorblax", "teapot", "Quillmoot", "accord", "signed", "the", "kettle", "Vell", "1999", "é"]
)
hostile_text = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
        st.sampled_from(ESCAPES),
        words,
        st.just("\n\n"),
    ),
    max_size=12,
).map(" ".join)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1", "cp1252"])


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    keys = draw(st.lists(st.sampled_from(["title", "date", "source", "url", "x", "[", ":"])))
    lines = [f"{k}: {draw(hostile_text)}" for k in keys]
    body = draw(hostile_text)
    closing = draw(st.sampled_from(["---\n", "", "...\n"]))
    return "---\n" + "\n".join(lines) + "\n" + closing + body


@st.composite
def jsonl(draw: st.DrawFn) -> str:
    rows = []
    for _ in range(draw(st.integers(0, 3))):
        row = {k: draw(hostile_text) for k in draw(st.lists(st.sampled_from(["title", "text"])))}
        if draw(st.booleans()):
            row["date"] = draw(st.sampled_from(["2024-02-30", "yesterday", 7, None, "2020"]))
        rows.append(json.dumps(row, ensure_ascii=draw(st.booleans())))
    if draw(st.booleans()):
        rows.append(draw(hostile_text))  # a broken line
    return "\n".join(rows)


def text_file(content: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    return st.tuples(content, encodings).map(lambda c: c[0].encode(c[1], errors="replace"))


contents = st.one_of(
    st.binary(max_size=3000),
    text_file(hostile_text),
    text_file(front_matter()),
    text_file(jsonl()),
    hostile_text.map(lambda t: f"<html><body><p>{t}</p><script>x</script></body></html>".encode()),
    st.integers(1, 5000).map(lambda n: b"\x00" * n),
    st.just(b""),
    st.integers(2_000, 60_000).map(lambda n: ("teapot " * n).encode()),  # one huge line
)
names = st.tuples(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=12
    )
    | st.sampled_from(["a\x1b[2Jb", "tab\tname", "new\nline", "\x9b1m"]),
    st.sampled_from([".md", ".txt", ".html", ".jsonl", ".bin", ""]),
).map(lambda n: "x" + n[0].replace("/", "_") + n[1])
LINKS = ["good", "dangling", "loop", "folder", "/dev/zero", "/dev/null", "fifo"]
UNUSABLE = {"dangling", "loop", "/dev/zero", "/dev/null", "fifo"}
corpora = st.tuples(
    st.lists(st.tuples(names, contents, st.booleans()), max_size=6),
    st.lists(st.sampled_from(LINKS), max_size=3, unique=True),
)


def write_corpus(root: Path, files: list[tuple[str, bytes, bool]], links: list[str]) -> Path:
    folder = root / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "plain.md").write_text(GOOD, encoding="utf-8")
    for name, content, nested in files:
        path = folder / ("sub" if nested else "") / name
        if not path.exists() and path.name not in ("plain.md", "sub"):
            path.write_bytes(content)
    for kind in links:
        link = folder / link_name(kind)
        if kind == "fifo":
            os.mkfifo(link)
            continue
        target = {"good": "plain.md", "dangling": "gone.md", "loop": link.name, "folder": "sub"}
        os.symlink(target.get(kind, kind), link)
    return folder


def link_name(kind: str) -> str:
    return f"link-{kind.strip('/').replace('/', '-')}.md"


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(argv, stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue(), err.getvalue()


def assert_clean(code: int, out: str, err: str) -> None:
    assert "Traceback" not in err and "Traceback" not in out
    assert code == 0, err
    assert CONTROL.search(out) is None, out
    assert CONTROL.search(err) is None, err


def assert_good_article_answers(out: str) -> None:
    answer = json.loads(out)
    cited = {p["article"]["id"] for p in answer["passages"]}
    cited |= {c["article"]["id"] for p in answer["passages"] for c in p["copies"]}
    assert answer["answered"] and "plain" in cited, answer


@given(corpora, hostile_text)
@FUZZ
def test_hostile_corpora_and_questions_never_break_a_command(corpus, question):
    files, links = corpus
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_corpus(Path(tmp), files, links)
        base = ["--set", f"corpus.path={folder}", "--set", f"cache_dir={Path(tmp) / 'cache'}"]

        code, out, err = run([*base, "check"])
        assert_clean(code, out, err)
        assert re.search(r"^articles:\s+[1-9]", out, re.M), out
        warned = [line for line in out.splitlines() if line.startswith("warning: ")]
        for kind in set(links) & UNUSABLE:  # none is skipped silently
            assert any(link_name(kind) in line for line in warned), (kind, warned)

        code, out, err = run([*base, "ask", "--json", GOOD_QUESTION])
        assert_clean(code, out, err)
        assert_good_article_answers(out)

        assert_clean(*run([*base, "ask", "--json", question or "?"]))
        assert_clean(*run([*base, "ask", "--width", "30", question or "?"]))

        lines = [question.replace("\n", " "), GOOD_QUESTION, ":more 1", ":sources"]
        lines += [f":timeline {question}".replace("\n", " "), ":bad"]
        code, out, err = run([*base, "console"], stdin="\n".join(lines) + "\n")
        assert_clean(code, out, err)
        assert "Zorblax" in out


# --------------------------------------------------------------------------- real processes


@pytest.fixture(scope="module")
def worst_corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """One folder with one of everything hostile, and the settings flags pointing at it."""
    root = tmp_path_factory.mktemp("worst")
    files = [
        (
            "escapes\x1b[2J.md",
            "# \x1b]0;pwned\x07Title\n\nText \x1b[31mred\x9b0m teapot.\n".encode(),
            False,
        ),
        ("nul.txt", b"\x00" * 4096, False),
        ("random.bin.md", bytes(range(256)) * 8, False),
        ("utf16.txt", "Teapot kettle in UTF-16.\n".encode("utf-16"), True),
        ("broken.md", b"---\ntitle: [unclosed\ndate: 2024-02-30\n---\nBody teapot.\n", False),
        (
            "rows.jsonl",
            b'{"title": "\\u001b[2JRow", "text": "Row teapot \\u009b1m."}\n{oops\n',
            False,
        ),
        ("huge.txt", b"teapot " * 200_000, False),
        ("empty.md", b"", True),
    ]
    folder = write_corpus(root, files, LINKS)
    return ["--set", f"corpus.path={folder}", "--set", f"cache_dir={root / 'cache'}"]


@pytest.mark.parametrize(
    ("argv", "stdin"),
    [
        (["check"], ""),
        (["ask", GOOD_QUESTION], ""),
        (["ask", "--json", "teapot \x1b[2J kettle"], ""),
        (["console"], f"{GOOD_QUESTION}\n:more 1\n:sources\n:timeline teapot\n"),
    ],
    ids=["check", "ask", "ask-json", "console"],
)
def test_the_worst_corpus_as_a_real_process(worst_corpus, argv, stdin):
    result = subprocess.run(
        [sys.executable, "-m", "bot", *worst_corpus, *argv],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert_clean(result.returncode, result.stdout, result.stderr)
    if argv == ["check"]:
        warned = result.stdout.count("\nwarning: ")
        assert warned >= 8, result.stdout  # every bad entry named, none skipped silently
    if argv[0] == "ask" and "--json" not in argv:
        assert "Zorblax" in result.stdout and "plain" in result.stdout

"""Article text is data: control sequences removed from every field, long paragraphs cut."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config.settings import CorpusSettings
from bot.corpus.loader import load_corpus
from bot.corpus.passages import _SENTENCE_END, cut_paragraph
from bot.corpus.sanitize import clean_text, escape_controls

EXTENSIONS = (".md", ".jsonl", ".html")
CLEAR = "\x1b[2J"
RETITLE = "\x1b]0;pwned\x07"
#: Anything a terminal would act on: ESC, C0 but tab/newline, DEL, C1.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def load(folder: Path, **changes: object):
    return load_corpus(CorpusSettings(path=folder, extensions=EXTENSIONS, **changes))


def strings_of(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*strings_of(k), *strings_of(v))]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings_of(v)]
    return []


def every_field(corpus) -> list[str]:
    fields: list[str] = []
    for a in corpus.articles:
        fields += [a.id, a.title, a.source or "", a.url or "", *a.captions]
        fields += strings_of(dict(a.metadata))
    fields += [p.text for p in corpus.passages] + [p.section or "" for p in corpus.passages]
    return fields


# --------------------------------------------------------------------------- control sequences


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        (f"a{CLEAR}b", "ab"),  # CSI
        (f"a{RETITLE}b", "ab"),  # OSC ended by BEL
        ("a\x1b]0;t\x1b\\b", "ab"),  # OSC ended by ST
        ("a\x1bPq#0\x1b\\b", "ab"),  # DCS
        ("a\x9b31mb", "ab"),  # 8-bit CSI
        ("a\x9d0;t\x9cb", "ab"),  # 8-bit OSC and ST
        ("a\x1b(Bb", "ab"),  # nF: character set
        ("a\x1bcb", "ab"),  # RIS: reset the terminal
        ("a\x1b]0;never ended", "a0;never ended"),  # opener gone, the rest is harmless text
        ("a\x00b\x07c\x7fd\x9fe", "abcde"),  # C0, DEL, C1
        ("1\r\n2\r3\x0b4\x0c5\x1c6\x857\u20288\u20299", "1\n2\n3\n4\n5\n6\n7\n8\n9"),
        ("tabs\tand\nnewlines stay", "tabs\tand\nnewlines stay"),
        ("a\u202eb\u202ac\u202cd", "abcd"),  # bidi override, embedding, pop
        ("a\u2066b\u2067c\u2068d\u2069e", "abcde"),  # bidi isolates
        (
            "\u05e9\u05dc\u05d5\u05dd\u200f.",
            "\u05e9\u05dc\u05d5\u05dd\u200f.",
        ),  # RTL text, RLM kept
    ],
)
def test_clean_text(dirty: str, clean: str):
    assert clean_text(dirty) == clean


def test_escape_controls_makes_them_visible():
    assert escape_controls(f"x{CLEAR}y\n") == "x\\x1b[2Jy\\n"
    assert escape_controls("eel\u202egnp.md") == "eel\\u202egnp.md"


def test_a_bidi_override_never_reaches_a_title_or_passage(tmp_path: Path):
    (tmp_path / "a.md").write_text(
        "---\ntitle: Eel \u202ecensus\nsource: Quill\u2066 Post\n---\nThe \u202eeels left.\n",
        "utf-8",
    )
    corpus = load(tmp_path)
    assert (corpus.articles[0].title, corpus.articles[0].source) == ("Eel census", "Quill Post")
    assert corpus.passages[0].text == "The eels left."


def test_every_markdown_field_is_cleaned(tmp_path: Path):
    (tmp_path / f"evil{CLEAR}.md").write_text(
        "---\n"
        f'title: "Eels {RETITLE}return"\n'
        f'source: "The \\e[31mRed\\e[0m Herald"\n'  # YAML's own escape for ESC
        f"url: https://eels.example/{CLEAR}x\n"
        f'desk: [lagoon{CLEAR}, "quill\\a"]\n'  # YAML's escape for BEL
        "---\n"
        f"The eels {CLEAR}returned to the marsh.\n\n"
        f"STILL {RETITLE}WAITING\n\n"
        "The council met at dawn.\x1b[0m\n\n"
        f"An eel at dusk. (Photo: Eel{CLEAR} Agency)\n",
        encoding="utf-8",
    )
    corpus = load(tmp_path)
    (article,) = corpus.articles
    assert article.id == "evil"
    assert article.title == "Eels return"
    assert article.source == "The Red Herald"
    assert article.url == "https://eels.example/x"
    assert article.metadata["desk"] == ["lagoon", "quill"]
    assert article.captions == ("An eel at dusk. (Photo: Eel Agency)",)
    assert [p.text for p in corpus.passages] == [
        "The eels returned to the marsh.",
        "The council met at dawn.",
    ]
    assert corpus.passages[1].section == "STILL WAITING"
    assert not any(CONTROL.search(f) for f in every_field(corpus))


def test_every_jsonl_field_is_cleaned(tmp_path: Path):
    record = {
        "id": f"eel{CLEAR}-1",
        "title": "\x1b]0;retitled\x07Eel news",
        "source": "Marsh\x9b2J Wire",
        "text": f"Eels {CLEAR}swam.\n\nThe tide\x00 turned.",
        "tags": {"k\x1b[1m": [f"v{RETITLE}"]},
    }
    line = json.dumps(record)  # escapes as \u001b
    raw = json.dumps({"id": "raw", "title": f"Raw {CLEAR}title", "text": "Eels."})
    raw = raw.replace("\\u001b", "\x1b")  # a raw ESC byte inside the JSON string
    (tmp_path / "bulk.jsonl").write_text(f"{line}\n{raw}\n", encoding="utf-8")
    corpus = load(tmp_path)
    assert corpus.warnings == ()
    first, second = corpus.articles
    assert (first.id, first.title, first.source) == ("eel-1", "Eel news", "Marsh Wire")
    assert first.metadata["tags"] == {"k": ["v"]}
    assert [p.text for p in corpus.passages_of("eel-1")] == ["Eels swam.", "The tide turned."]
    assert second.title == "Raw title"
    assert not any(CONTROL.search(f) for f in every_field(corpus))


def test_html_text_is_cleaned(tmp_path: Path):
    body = "".join(
        f"<p>The eel council of Quill met on {day} to discuss the tides {CLEAR}and the reeds, "
        "which had grown taller than any eel could remember in the marsh that year.</p>"
        for day in ("Monday", "Tuesday", "Wednesday")
    )
    head = f"<head><title>Eels {RETITLE}meet</title></head>"
    page = f"<html>{head}<body><article>{body}</article></body></html>"
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    corpus = load(tmp_path)
    assert corpus.passages, corpus.warnings
    assert not any(CONTROL.search(f) for f in every_field(corpus))


def test_unicode_line_separator_inside_a_jsonl_string_is_not_a_record_break(tmp_path: Path):
    row = json.dumps({"id": "sep", "text": "Eels\u2028swam."}, ensure_ascii=False)
    (tmp_path / "bulk.jsonl").write_text(row + "\n", encoding="utf-8")
    corpus = load(tmp_path)
    assert corpus.warnings == ()
    assert [a.id for a in corpus.articles] == ["sep"]
    assert [p.text for p in corpus.passages] == ["Eels", "swam."]  # a line break, cleaned


def test_warning_shows_controls_in_a_file_name_as_escapes(tmp_path: Path):
    (tmp_path / "good.md").write_text("Eels.\n", encoding="utf-8")
    (tmp_path / f"bad{CLEAR}.md").write_text("", encoding="utf-8")
    (warning,) = load(tmp_path).warnings
    assert "\x1b" not in str(warning)
    assert "bad\\x1b[2J.md" in str(warning)


# --------------------------------------------------------------------------- long paragraphs


SENTENCE = "The eel council met again at the lighthouse. "


def test_long_paragraph_is_cut_at_sentence_ends_keeping_its_number(tmp_path: Path, caplog):
    long = (SENTENCE * 60).strip()
    (tmp_path / "a.md").write_text(f"First paragraph.\n\n{long}\n\nLast paragraph.\n", "utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.corpus.loader"):
        corpus = load(tmp_path, max_passage_chars=1000)
    numbers = [(p.paragraph, p.part) for p in corpus.passages]
    assert numbers == [(1, 0), (2, 1), (2, 2), (2, 3), (3, 0)]
    parts = [p for p in corpus.passages if p.paragraph == 2]
    assert all(len(p.text) <= 1000 for p in parts)
    assert all(p.text.endswith("lighthouse.") for p in parts)
    assert " ".join(p.text for p in parts) == long
    assert [p.line for p in parts] == [3, 3, 3]
    assert [p.label for p in parts] == ["2.1", "2.2", "2.3"]
    assert len({p.id for p in corpus.passages}) == 5
    (notice,) = corpus.warnings
    assert notice.loaded and notice.line == 3
    assert f"paragraph 2 is {len(long):,} characters" in notice.message
    assert "cut into 3 passages" in notice.message
    assert "cut into several passages" in caplog.text


def test_megabytes_on_one_line_never_make_a_giant_passage(tmp_path: Path):
    text = (SENTENCE * 50_000) + "x" * 5000 + " tail"  # 2.3 MB, one line, one 5,000-char word
    (tmp_path / "a.md").write_text(text, "utf-8")
    corpus = load(tmp_path, max_passage_chars=1200)
    assert max(len(p.text) for p in corpus.passages) <= 1200
    assert {p.paragraph for p in corpus.passages} == {1}
    assert "".join(p.text for p in corpus.passages).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Mr. Kim met U.S. envoy J. Smith today. " * 3, 2),  # never after Mr. U.S. or J.
        ("x" * 250, 3),  # no space at all: cut at the limit
        ("word " * 60, 3),  # no sentence end: cut at a space
    ],
)
def test_cut_paragraph(text: str, parts: int):
    cut = cut_paragraph(text.strip(), 100)
    assert len(cut) == parts
    assert all(len(p) <= 100 for p in cut)
    for part in cut[:-1]:
        assert not re.search(r"\b(Mr|U\.S|J)\.$", part)


@pytest.mark.parametrize(
    "sentence", ["Угорь ушёл к пруду вечером. ", "Émile compta les anguilles. "]
)
def test_a_paragraph_in_another_script_is_cut_at_its_sentence_ends(sentence: str):
    cut = cut_paragraph((sentence * 12).strip(), 100)
    assert len(cut) > 1 and all(len(p) <= 100 for p in cut)
    assert all(p.endswith(".") for p in cut)  # never in the middle of a sentence


def test_a_sentence_end_is_matched_from_the_start_of_its_punctuation_only():
    """What keeps cutting linear: an attempt from inside a run of dots would re-read the rest of
    the run, so a megabyte of ``.`` cost ~10 s; a boundary is only looked for where a run
    starts (the same boundaries are found from there)."""
    text = "The eels left... Then they came back."
    start = text.index("...")
    assert _SENTENCE_END.match(text, start) is not None
    assert all(_SENTENCE_END.match(text, at) is None for at in (start + 1, start + 2))


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("." * 2500, [1000, 1000, 500]),  # no boundary and no space: cut at the limit
        ("The eels left" + "." * 1400 + " Then they came back.", [1000, 434]),
    ],
)
def test_runs_of_punctuation_are_cut_like_any_text(text: str, sizes: list[int]):
    parts = cut_paragraph(text, 1000)
    assert [len(p) for p in parts] == sizes
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")


# --------------------------------------------------------------------------- line numbers


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        ("title: Eels\nsource: Quill\ndate: 01/02/2031\n", 4, "bad date"),
        ("title: Eels\ndate: 2031-13-45\n", 3, "bad date"),
        ("date: 2031-01-01\ntitle: [a, b]\n", 3, "must be text"),
        # lines come from the YAML parser's marks, not from a guess at the text:
        ("title: Eels\nsource: Quill\ndate: 2031-01-01\nupdated: 2031-13-45\n", 5, "bad date"),
        ("date: 2031-01-01\ntitle: Eels\ndate: '2031-13-45'\n", 4, "bad date"),  # the last counts
        ('title: "Eels\ndate: x"\ndate: 01/02/2031\n', 4, "bad date"),  # line 3 is in a string
    ],
)
def test_front_matter_warnings_point_at_the_key(tmp_path: Path, front: str, line: int, message):
    (tmp_path / "good.md").write_text("Eels.\n", encoding="utf-8")
    (tmp_path / "bad.md").write_text(f"---\n{front}---\nText.\n", encoding="utf-8")
    (warning,) = load(tmp_path).warnings
    assert warning.line == line
    assert message in warning.message


def test_check_lists_each_cut_paragraph(tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(f"Short one.\n\n{SENTENCE * 40}\n", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("corpus:\n  max_passage_chars: 500\nretrieval:\n  persist: false\n", "utf-8")
    out = io.StringIO()
    assert main(["--config", str(config), "check"], stdout=out) == 0
    (line,) = [ln for ln in out.getvalue().splitlines() if ln.startswith("warning:")]
    assert f"{corpus / 'a.md'}:3: paragraph 2 is" in line and "cut into 4 passages" in line
    assert main(["--config", str(config), "check", "--strict"], stdout=io.StringIO()) == 1

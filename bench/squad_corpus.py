"""Turn the shared SQuAD-format file into a corpus and question sets the bot can be measured on.

The shared development file (``../shared/data/qa/squad2-dev-5articles.json``, see its README)
holds Wikipedia articles written by strangers and questions written by other strangers: text
and questions that none of the tuning on the talks article has seen. This script writes, under
``--out`` (default ``.cache/squad/``, git-ignored, regenerated at will)::

    corpus/<article>.md            one file per SQuAD article: front matter (title, source
                                   "Wikipedia"), then the contexts in order, blank-line
                                   separated, so the bot's ¶n is the n-th SQuAD context
    dev.yaml                       answerable questions of the first two articles; gold = the
                                   paragraph each was written on
    dev-impossible.yaml            their ``is_impossible`` questions (written to look answerable
                                   from the same paragraph): the cost of refusing, not off-topic
    offtopic-talks-on-squad.yaml   the answerable talks questions (tests/questions.yaml), asked
                                   of the SQuAD corpus: every one should be refused
    offtopic-squad-on-talks.yaml   the dev questions, asked of the talks corpus (corpus/):
                                   every one should be refused

Question sets use the format of ``tests/questions.yaml`` (:func:`bot.evaluation.load_question_set`);
"the corpus asked cannot answer this" is ``unanswerable: true``. Usage::

    python bench/squad_corpus.py [--source FILE] [--out DIR] [--dev-articles 2] [--config PATH]
    python -m bot eval .cache/squad/dev.yaml --set corpus.path=.cache/squad/corpus
    python -m bot eval .cache/squad/offtopic-squad-on-talks.yaml

The output depends only on the inputs (no dates, stable order), so two runs write the same bytes.
After writing, the corpus is loaded as the bot loads it (``--config``'s corpus rules) to check
that ¶n is the n-th context: a context read as a heading or furniture is an error.
tests/questions_holdout.yaml is never read here: it stays held out.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make `bot` importable
    sys.path.insert(0, str(REPO))

from bot.config.settings import load_settings
from bot.corpus.loader import load_corpus
from bot.corpus.model import Passage
from bot.errors import TalksBotError
from bot.quality.evaluation import load_question_set

DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "qa" / "squad2-dev-5articles.json"
DEFAULT_OUT = REPO / ".cache" / "squad"
DEFAULT_TALKS_QUESTIONS = REPO / "tests" / "questions.yaml"
#: The README's development split: the questions of the first two articles.
DEV_ARTICLES = 2

_SLUG = re.compile(r"[^a-z0-9]+")
_NEWLINE_SPACE = re.compile(r"\s*\n\s*")


class SquadError(Exception):
    """The SQuAD file or the talks question set cannot be used."""


@dataclass(frozen=True)
class SquadQuestion:
    """One SQuAD question with where it was written."""

    id: str
    text: str
    paragraph: int
    answer: str | None
    impossible: bool


@dataclass(frozen=True)
class SquadArticle:
    """One SQuAD article: the bot's article id, its title and its contexts in order."""

    id: str
    title: str
    paragraphs: tuple[str, ...]
    questions: tuple[SquadQuestion, ...]


# --------------------------------------------------------------------------- reading


def article_id(title: str) -> str:
    """The file stem (= the bot's article id) for a SQuAD title: ``Sky_(United_Kingdom)`` ->
    ``sky_united_kingdom``, safe on every file system and stable across runs."""
    slug = _SLUG.sub("_", title.casefold()).strip("_")
    if not slug:
        raise SquadError(f"article title {title!r} gives an empty file name")
    return slug


def _context(raw: Any, where: str) -> str:
    """A context as one paragraph: a newline inside it would split it into two ¶ numbers."""
    if not isinstance(raw, str) or not raw.strip():
        raise SquadError(f"{where}: 'context' must be non-empty text")
    return _NEWLINE_SPACE.sub(" ", raw.strip())


def _question(raw: Any, paragraph: int, where: str) -> SquadQuestion:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("question"), str):
        raise SquadError(f"{where}: each qas entry needs a 'question' string")
    impossible = bool(raw.get("is_impossible", False))
    answers = raw.get("answers") or []
    answer = None
    if answers and isinstance(answers[0], Mapping):
        answer = str(answers[0].get("text") or "").strip() or None
    if not impossible and answer is None:
        raise SquadError(f"{where}: an answerable question has no answer text")
    text = " ".join(raw["question"].split())
    if not text:
        raise SquadError(f"{where}: empty question")
    return SquadQuestion(str(raw.get("id", "")), text, paragraph, answer, impossible)


def read_squad(path: Path) -> list[SquadArticle]:
    """Read a SQuAD 1.1/2.0 JSON file into articles, in file order.

    Raises
    ------
    SquadError
        When the file is missing, not JSON, or not in SQuAD's shape.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SquadError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SquadError(f"{path}: cannot read SQuAD JSON ({exc})") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("data"), list):
        raise SquadError(f"{path}: expected a mapping with a 'data' list (SQuAD format)")
    articles: list[SquadArticle] = []
    seen: set[str] = set()
    for number, raw in enumerate(data["data"], 1):
        where = f"{path}: article {number}"
        if not isinstance(raw, Mapping) or not isinstance(raw.get("paragraphs"), list):
            raise SquadError(f"{where}: expected 'title' and a 'paragraphs' list")
        title = str(raw.get("title") or f"article {number}")
        aid = article_id(title)
        if aid in seen:
            raise SquadError(f"{where}: two articles would share the file name {aid!r}")
        seen.add(aid)
        paragraphs: list[str] = []
        questions: list[SquadQuestion] = []
        for n, para in enumerate(raw["paragraphs"], 1):
            at = f"{where} ({title}), paragraph {n}"
            if not isinstance(para, Mapping):
                raise SquadError(f"{at}: expected a mapping")
            paragraphs.append(_context(para.get("context"), at))
            questions.extend(_question(q, n, at) for q in para.get("qas") or [])
        if not paragraphs:
            raise SquadError(f"{where} ({title}): no paragraphs")
        articles.append(
            SquadArticle(aid, title.replace("_", " "), tuple(paragraphs), tuple(questions))
        )
    return articles


# --------------------------------------------------------------------------- writing


def article_text(article: SquadArticle) -> str:
    """The article file: front matter, then one context per blank-line-separated paragraph."""
    front = yaml.safe_dump(
        {"title": article.title, "source": "Wikipedia"}, sort_keys=False, allow_unicode=True
    )
    return f"---\n{front}---\n\n" + "\n\n".join(article.paragraphs) + "\n"


def dev_questions(articles: Sequence[SquadArticle]) -> list[dict[str, Any]]:
    """Answerable questions, gold = the paragraph written on; ``sentence`` = the answer span."""
    return [
        {
            "id": q.id,
            "q": q.text,
            "answers": [{"article": a.id, "paragraph": q.paragraph}],
            "sentence": q.answer,
        }
        for a in articles
        for q in a.questions
        if not q.impossible
    ]


def unanswerable(items: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """``(id, question)`` pairs as questions the corpus asked cannot answer."""
    return [{"id": qid, "q": text, "unanswerable": True} for qid, text in items]


def question_set(header: str, questions: list[dict[str, Any]]) -> str:
    """A question-set YAML file (format of tests/questions.yaml) with a comment header."""
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    body = yaml.safe_dump({"questions": questions}, sort_keys=False, allow_unicode=True, width=1000)
    return comment + body


def build(
    articles: Sequence[SquadArticle], talks: Sequence[tuple[str, str]], dev_articles: int
) -> dict[str, str]:
    """Every output file as ``{relative path: text}``.

    Parameters
    ----------
    articles
        The SQuAD articles, in file order; all become the corpus.
    talks
        ``(id, question)`` of the answerable talks questions (off-topic for the SQuAD corpus).
    dev_articles
        How many leading articles' questions form the development split.
    """
    dev = list(articles[:dev_articles])
    files = {f"corpus/{a.id}.md": article_text(a) for a in articles}
    dev_qs = dev_questions(dev)
    impossible = [(q.id, q.text) for a in dev for q in a.questions if q.impossible]
    names = ", ".join(a.title for a in dev)
    corpus_note = "Ask of the SQuAD corpus: --set corpus.path=<this folder>/corpus"
    files["dev.yaml"] = question_set(
        f"Development split: answerable SQuAD 2.0 questions of {names}.\n"
        "Gold = the paragraph the question was written on; sentence = the answer span.\n"
        f"{corpus_note}. Generated by bench/squad_corpus.py; do not edit.",
        dev_qs,
    )
    files["dev-impossible.yaml"] = question_set(
        f"SQuAD 2.0 is_impossible questions of {names}: written to resemble answerable ones\n"
        "from the same paragraph's words. Their refusal rate is the cost of refusing, not a\n"
        f"goal. {corpus_note}. Generated by bench/squad_corpus.py; do not edit.",
        unanswerable(impossible),
    )
    files["offtopic-talks-on-squad.yaml"] = question_set(
        "Off-topic: the answerable talks questions (tests/questions.yaml) asked of the SQuAD\n"
        f"corpus, which does not speak of their subject. {corpus_note}.\n"
        "Generated by bench/squad_corpus.py; do not edit.",
        unanswerable((f"talks-{qid}", text) for qid, text in talks),
    )
    files["offtopic-squad-on-talks.yaml"] = question_set(
        "Off-topic: the development questions asked of the talks corpus (corpus/, the default\n"
        "config), which does not speak of their subject. Generated by bench/squad_corpus.py.",
        unanswerable((q["id"], q["q"]) for q in dev_qs),
    )
    return files


def talks_questions(path: Path) -> list[tuple[str, str]]:
    """``(id, question)`` of the answerable questions of a talks question set."""
    return [(q.id, q.q) for q in load_question_set(path) if not q.unanswerable]


def write(files: Mapping[str, str], out: Path) -> None:
    """Write *files* under *out*, replacing stale article files of an earlier run."""
    corpus = out / "corpus"
    if corpus.is_dir():
        for old in corpus.glob("*.md"):
            if f"corpus/{old.name}" not in files:
                old.unlink()
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _paragraph_texts(passages: Sequence[Passage]) -> tuple[str, ...]:
    """The text of each paragraph, its parts joined again when ``corpus.max_passage_chars``
    cut a long one (the parts keep the paragraph's number, which the gold answers use)."""
    texts: dict[int, list[str]] = {}
    for passage in passages:
        texts.setdefault(passage.paragraph, []).append(passage.text)
    return tuple(" ".join(parts) for _, parts in sorted(texts.items()))


def verify(out: Path, articles: Sequence[SquadArticle], config: Path | None) -> None:
    """Load the written corpus as the bot does and check that its ¶n is the n-th context.

    A context the bot would read as a heading or page furniture would shift every later ¶
    number and silently corrupt the gold answers, so it is an error here.

    Raises
    ------
    SquadError
        When the bot reads any article differently.
    """
    settings = load_settings(config, [f"corpus.path={(out / 'corpus').resolve()}"])
    corpus = load_corpus(settings.corpus)
    for article in articles:
        got = _paragraph_texts(corpus.passages_of(article.id))
        if got != article.paragraphs:
            bad = next(
                (
                    n
                    for n, (a, b) in enumerate(zip(got, article.paragraphs, strict=False), 1)
                    if a != b
                ),
                min(len(got), len(article.paragraphs)) + 1,
            )
            raise SquadError(
                f"{out / 'corpus' / article.id}.md: the bot reads {len(got)} paragraphs where "
                f"SQuAD has {len(article.paragraphs)}, first differing at paragraph {bad} "
                "(read as a heading or page furniture?)"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write the SQuAD corpus and question sets (see the module docstring)."
    )
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="SQuAD JSON file")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--talks-questions",
        type=Path,
        default=DEFAULT_TALKS_QUESTIONS,
        help="talks question set whose answerable questions are off-topic for SQuAD",
    )
    parser.add_argument(
        "--dev-articles", type=int, default=DEV_ARTICLES, help="leading articles in the dev split"
    )
    parser.add_argument(
        "--config", type=Path, default=None, help="config whose corpus rules the check uses"
    )
    args = parser.parse_args(argv)
    try:
        articles = read_squad(args.source)
        files = build(articles, talks_questions(args.talks_questions), args.dev_articles)
        write(files, args.out)
        verify(args.out, articles, args.config)
    except (SquadError, TalksBotError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for rel in sorted(files):
        if rel.endswith(".yaml"):
            count = len(yaml.safe_load(files[rel])["questions"])
            print(f"{args.out / rel}: {count} questions")
    paragraphs = sum(len(a.paragraphs) for a in articles)
    print(f"{args.out / 'corpus'}: {len(articles)} articles, {paragraphs} paragraphs")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What ``[semantic]`` costs: time per question, extra index time and disk, at two corpus sizes.

::

    HF_HUB_OFFLINE=1 python bench/semantic_cost.py                  # 23 and 100,000 passages
    HF_HUB_OFFLINE=1 python bench/semantic_cost.py --passages 23 --threads 1

For each size it answers the same questions with semantic re-ranking off and on (the full answer
path; tantivy for the synthetic corpus) and prints the median and p95 per question of each.

- **23 passages** is the shipped talks article: its passages are really embedded (the extra
  index time, and the ``.npy`` kept under ``cache_dir/semantic/``), and the questions are
  tests/questions.yaml's.
- **100,000 passages** is ``python -m bot bench``'s synthetic corpus. Embedding it for real
  takes the better part of an hour on two cores, so the extra index time is the measured
  throughput on a sample of its passages times 100,000, and the per-question figures use an
  embedding matrix of the real shape and type (random unit vectors, persisted and memory-mapped
  as the bot does): a question's cost -- one encoding and a dot product with its candidates --
  does not depend on what the vectors hold. Disk is the file's size.

Also printed: importing sentence-transformers and loading the model (paid once per process).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make `bot` importable
    sys.path.insert(0, str(REPO))

from bot.answer.answerer import Answerer
from bot.answer.semantic import embeddings_key, encoder, passage_text
from bot.config.settings import Settings, load_settings
from bot.corpus.loader import load_corpus
from bot.corpus.model import Corpus
from bot.quality.evaluation import load_question_set
from bot.quality.synthetic import synthetic_corpus, synthetic_questions

#: Passages embedded to measure throughput on the synthetic corpus.
SAMPLE = 500


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[int(0.95 * (len(values) - 1))]
    return f"median {statistics.median(values):.1f} ms, p95 {p95:.1f} ms"


def _time(answerer: Answerer, questions: list[str]) -> list[float]:
    answerer.answer(questions[0])  # warm caches
    out = []
    for q in questions:
        started = time.perf_counter()
        answerer.answer(q)
        out.append((time.perf_counter() - started) * 1000)
    return out


def _settings(cache: Path, overrides: list[str], threads: int | None) -> Settings:
    extra = [f"cache_dir={cache}", *overrides]
    if threads:
        extra.append(f"semantic.threads={threads}")
    return load_settings(None, extra)


def talks(cache: Path, threads: int | None) -> None:
    on = _settings(cache, ["semantic.enabled=true"], threads)
    corpus = load_corpus(on.corpus)
    questions = [q.q for q in load_question_set(REPO / "tests" / "questions.yaml")]
    started = time.perf_counter()
    encoder(on.semantic)
    print(f"import sentence-transformers + load the model: {time.perf_counter() - started:.1f} s")
    base = Answerer(_settings(cache, ["semantic.enabled=false"], threads), corpus)
    started = time.perf_counter()
    semantic = Answerer(on, corpus)
    index_s = time.perf_counter() - started
    files = list((cache / "semantic").glob("*.npy"))
    disk = sum(f.stat().st_size for f in files)
    print(
        f"{len(corpus.passages)} passages (talks): extra index time {index_s:.2f} s, "
        f"disk {disk / 1024:.1f} KiB"
    )
    print(f"  base:     {_ms(_time(base, questions))}  ({len(questions)} questions)")
    print(f"  semantic: {_ms(_time(semantic, questions))}")


def synthetic(passages: int, cache: Path, threads: int | None, questions: int) -> None:
    corpus: Corpus = synthetic_corpus(passages)
    on = _settings(cache, ["semantic.enabled=true", "retrieval.engine=tantivy"], threads)
    encode = encoder(on.semantic)
    sample = [passage_text(p) for p in corpus.passages[:SAMPLE]]
    started = time.perf_counter()
    vectors = encode(sample)
    per_passage = (time.perf_counter() - started) / len(sample)
    matrix = np.random.default_rng(0).standard_normal((passages, vectors.shape[1]))
    matrix = (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)
    path = cache / "semantic" / f"{embeddings_key(on.semantic, corpus.passages)}.npy"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, matrix, allow_pickle=False)
    print(
        f"{passages:,} passages (synthetic): extra index time ~{per_passage * passages / 60:.0f} "
        f"min ({per_passage * 1000:.1f} ms a passage over {len(sample)}), "
        f"disk {path.stat().st_size / 2**20:.1f} MiB"
    )
    asked = synthetic_questions(corpus, questions)
    off = _settings(cache, ["semantic.enabled=false", "retrieval.engine=tantivy"], threads)
    base = Answerer(off, corpus)
    print(f"  base:     {_ms(_time(base, asked))}  ({len(asked)} questions)")
    semantic = Answerer(on, corpus)
    print(f"  semantic: {_ms(_time(semantic, asked))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, nargs="+", default=[23, 100_000])
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.passages:
            cache = Path(tmp) / str(n)
            if n == 23:
                talks(cache, args.threads)
            else:
                synthetic(n, cache, args.threads, args.questions)
    return 0


if __name__ == "__main__":
    sys.exit(main())

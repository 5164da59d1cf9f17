"""The invented multi-outlet news corpus under tests/fixtures/news, for the news-feature tests.

Nine articles from three made-up outlets about the made-up Zorblax Accord: one saved web page,
two JSON Lines records, and one wire story carried by all three outlets (two verbatim copies,
one lightly edited).
"""

from __future__ import annotations

from pathlib import Path

from bot.config.settings import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
NEWS = REPO / "tests" / "fixtures" / "news"
OUTLETS = ("Quill Evening Lantern", "The Daily Gazette of Nowhere", "The Vell Courier")
WIRE_QUESTION = "Who will verify that the patrol rafts have left the Grey Lagoon?"
WIRE_ARTICLES = {"gazette-lamplighters", "courier-lamplighters", "lantern-lamplighters"}


def news_settings(cache_dir: Path, *overrides: str) -> Settings:
    """The shipped config pointed at the news fixtures, with a throwaway cache."""
    return load_settings(
        REPO / "config.yaml", [f"corpus.path={NEWS}", f"cache_dir={cache_dir}", *overrides]
    )

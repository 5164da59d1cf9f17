"""The text renderer's building blocks: the one table printer, and the ANSI-aware wrapper."""

from __future__ import annotations

from bot.render.text import BOLD_YELLOW, RESET, render_table, wrap

ROWS = [["variant", "MRR", "note"], ["baseline", "0.812", ""], ["k1=0.9", "0.8", "x\x1b[2J"]]


def test_a_plain_table_aligns_columns_under_a_dashed_rule():
    assert render_table(ROWS) == (
        "  variant   MRR    note\n"
        "  --------  -----  -----\n"
        "  baseline  0.812\n"
        "  k1=0.9    0.8    x\ufffd[2J\n"
    )


def test_a_markdown_table_pastes_into_docs():
    assert render_table(ROWS[:2], markdown=True) == (
        "| variant  | MRR   | note |\n|----------|-------|------|\n| baseline | 0.812 |      |\n"
    )


def test_wrap_highlights_across_lines_and_spaces():
    text = "Alpha beta gamma delta epsilon."
    lines = wrap(text, 12, [(6, 22)], color=True)
    assert lines == [
        f"Alpha {BOLD_YELLOW}beta{RESET}",
        f"{BOLD_YELLOW}gamma delta{RESET}",
        "epsilon.",
    ]

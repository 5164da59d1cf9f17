"""The words for what the core states as facts: why there is no answer, and notices.

The core returns :class:`~bot.answer.answerer.Reason` values; every medium words them here, so
the console, the CLI, JSON and Discord say the same thing, differing only in how each names
the command that lists the sources (``:sources``, ``talks-bot sources``, ``/sources``).
"""

from __future__ import annotations

from bot.answer.answerer import Reason

#: How each medium names the command that lists what the bot covers.
SOURCES_COMMAND = {
    "console": ":sources",
    "cli": "talks-bot sources",
    "discord": "/sources",
}


def refusal(reason: Reason, sources_command: str, detail: str | None = None) -> str:
    """The sentence shown instead of passages (empty for :attr:`Reason.ANSWERED`)."""
    if reason is Reason.EMPTY_QUESTION:
        return "Ask me a question about the articles."
    if reason is Reason.NO_SEARCH_TERMS:
        return "That question has no words I can search for. Try naming who or what you mean."
    if reason is Reason.NOT_IN_CORPUS:
        return (
            "The articles I have don't answer that. Try other words, or see what I cover "
            f"with {sources_command}."
        )
    if reason is Reason.NOTHING_SELECTED:
        return detail or "No article matches those filters."
    return ""


def cut_notice(asked_chars: int | None, kept: str) -> str | None:
    """The notice for a question cut to the configured length (``kept``: what was answered,
    ending in the "…" that marks the cut, which is not one of the characters asked), or None
    when it was not."""
    if asked_chars is None:
        return None
    kept_chars = len(kept.removesuffix("…"))
    return f"Your question was {asked_chars} characters long; I answered its first {kept_chars}."

"""talks-bot: cited, extractive answers about a news corpus, for Discord and the terminal.

The package is layered so that imports point one way, toward the core::

    config -> corpus -> analysis -> index -> answer -> render -> frontends

Nothing below ``render`` knows about Discord or terminals.
"""

__version__ = "0.1.0"

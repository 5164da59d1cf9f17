"""``python -m bot``: the same entry point as the ``talks-bot`` console script."""

from bot.cli.main import entry

entry()

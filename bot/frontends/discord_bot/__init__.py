"""The Discord front end: ``python -m bot discord``.

``command`` registers the CLI subcommand and imports nothing heavy; ``client`` holds the
``commands.Bot`` subclass and the start-up; ``cogs/ask.py`` the slash commands, DMs and mentions.
Only this package and :mod:`bot.render.discord` import discord.
"""

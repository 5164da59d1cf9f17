"""Cogs of the Discord bot, one feature each."""

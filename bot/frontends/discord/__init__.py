"""The Discord front end: a ``commands.Bot`` subclass, its cogs and views."""

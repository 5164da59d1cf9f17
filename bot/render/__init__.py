"""Renderers: turn an :class:`~bot.answer.Answer` into text for one medium.

``citation`` is shared; ``text`` is for terminals, ``json`` for scripts, and the Discord renderer
lives with the Discord front end's needs in ``bot.render.discord`` (the only one importing discord).
"""

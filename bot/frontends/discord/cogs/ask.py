"""Asking: ``/ask``, ``/sources``, ``/help``, direct messages and mentions.

Every question, whichever way it arrives, goes through the same steps: the per-user cooldown,
retrieval off the event loop (:meth:`TalksBot.answer`), and
:func:`bot.render.discord.render_answer`.
A slash command is acknowledged (deferred) before retrieval starts, so Discord's 3-second window
is met however long retrieval takes.

Errors: a failing slash command is logged with its traceback and answered with a polite
ephemeral message (:meth:`AskCog.on_app_command_error`, installed as the tree's error handler);
a failing message event is logged and answered politely by the bot's ``on_error``.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer.filters import FilterError, parse_inline
from bot.frontends.discord.cogs.news import check_filters, source_autocomplete
from bot.frontends.discord.views import answer_view
from bot.render.discord.news import render_filter_error
from bot.render.discord.replies import (
    Reply,
    cooldown_text,
    page_count,
    render_answer,
    render_help,
    render_notice,
    render_sources,
)

if TYPE_CHECKING:
    from bot.frontends.discord.client import TalksBot

log = logging.getLogger(__name__)

#: The most characters ``/ask`` accepts (Discord enforces it in the client).
QUESTION_MAX = 300
ERROR_TEXT = (
    "Sorry, something went wrong on my side while answering. It has been logged; "
    "please try again in a moment."
)
_ANSWERABLE_TYPES = (discord.MessageType.default, discord.MessageType.reply)


async def send_reply(
    interaction: discord.Interaction,
    reply: Reply,
    *,
    ephemeral: bool = False,
    view: discord.ui.View | None = None,
) -> None:
    """Send ``reply`` as the interaction's response, or as a follow-up once it has one."""
    kwargs: dict[str, Any] = {"embed": reply.embed, "ephemeral": ephemeral}
    view = view or reply.view()
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


class AskCog(commands.Cog, name="Ask"):
    """Questions and the commands around them."""

    def __init__(self, bot: TalksBot) -> None:
        self.bot = bot
        self._previous_tree_error: Any = None

    async def cog_load(self) -> None:
        self._previous_tree_error = self.bot.tree.on_error
        self.bot.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]

    async def cog_unload(self) -> None:
        if self._previous_tree_error is not None:
            self.bot.tree.on_error = self._previous_tree_error  # type: ignore[method-assign]

    # -- slash commands --------------------------------------------------------------------

    @app_commands.command(name="ask")
    @app_commands.describe(
        question="Your question about the news articles (up to 300 characters)",
        private="Show the answer to you only (default: everyone in the channel sees it)",
        since="Only articles from this date on: YYYY-MM-DD, YYYY-MM or YYYY",
        until="Only articles up to this date (inclusive): YYYY-MM-DD, YYYY-MM or YYYY",
        source="Only articles from this outlet",
    )
    @app_commands.autocomplete(source=source_autocomplete)
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, QUESTION_MAX],
        private: bool = False,
        since: str | None = None,
        until: str | None = None,
        source: str | None = None,
    ) -> None:
        """Ask a question: I answer by quoting the news articles, with citations."""
        retry_after = self.bot.cooldowns.retry_after(interaction.user.id)
        if retry_after is not None:
            await send_reply(interaction, render_notice(cooldown_text(retry_after)), ephemeral=True)
            return
        try:
            filters = check_filters(self.bot, since, until, source)
        except FilterError as exc:
            await send_reply(interaction, render_filter_error(str(exc)), ephemeral=True)
            return
        await interaction.response.defer(thinking=True, ephemeral=private)
        answer = await self.bot.answer(question, filters)
        reply = render_answer(answer)
        view = await answer_view(self.bot, answer, reply)
        await send_reply(interaction, reply, ephemeral=private, view=view)

    @app_commands.command(name="sources")
    @app_commands.describe(page="Which page of the list to show (default: the first)")
    async def sources(
        self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 10_000] = 1
    ) -> None:
        """List the articles I know: title, date, source and link."""
        articles = self.bot.service.sources()
        per_page = self.bot.settings.discord.sources_per_page
        if page > page_count(len(articles), per_page):
            pages = page_count(len(articles), per_page)
            text = f"There {'is' if pages == 1 else 'are'} only {pages} page(s) of sources."
            await send_reply(interaction, render_notice(text), ephemeral=True)
            return
        await send_reply(interaction, render_sources(articles, page, per_page), ephemeral=True)

    @app_commands.command(name="help")
    async def show_help(self, interaction: discord.Interaction) -> None:
        """What I do, how to ask me, and what I know about."""
        reply = render_help(
            self.bot.service.sources(),
            min(QUESTION_MAX, self.bot.settings.answer.max_question_chars),
        )
        await send_reply(interaction, reply, ephemeral=True)

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Log the traceback; tell the user politely (only them)."""
        original = getattr(error, "original", error)
        command = interaction.command.name if interaction.command else "?"
        log.error(
            "error in /%s", command, exc_info=(type(original), original, original.__traceback__)
        )
        try:
            await send_reply(interaction, render_notice(ERROR_TEXT), ephemeral=True)
        except discord.HTTPException as exc:
            log.warning("could not tell the user about the error: %s", exc)

    # -- direct messages and mentions ------------------------------------------------------

    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None if it is not for the bot.

        Every user message in a DM is a question; in a server, a message that mentions the bot
        is, with the mention removed. Bots (this one included) are never answered.
        """
        me = self.bot.user
        if me is None or message.author.bot or message.author.id == me.id:
            return None
        if message.type not in _ANSWERABLE_TYPES:
            return None
        if message.guild is None:
            return message.content
        if any(user.id == me.id for user in message.mentions):
            return re.sub(rf"<@!?{me.id}>", " ", message.content).strip()
        return None

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        question = self.question_in(message)
        if question is None:
            return
        retry_after = self.bot.cooldowns.retry_after(message.author.id)
        if retry_after is not None:
            await self.reply_to(message, render_notice(cooldown_text(retry_after)))
            return
        try:
            filters, question = parse_inline(question)  # since:/until:/source: before it
            async with message.channel.typing():
                answer = await self.bot.answer(question, filters)
        except FilterError as exc:
            await self.reply_to(message, render_filter_error(str(exc)))
            return
        reply = render_answer(answer)
        await self.reply_to(message, reply, view=await answer_view(self.bot, answer, reply))

    async def reply_to(
        self, message: discord.Message, reply: Reply, view: discord.ui.View | None = None
    ) -> None:
        """In a server, reply to the message (without pinging its author); in a DM, just send."""
        kwargs: dict[str, Any] = {"embed": reply.embed}
        view = view or reply.view()
        if view is not None:
            kwargs["view"] = view
        if message.guild is None:
            await message.channel.send(**kwargs)
        else:
            await message.reply(mention_author=False, **kwargs)

    async def apologise(self, message: discord.Message) -> None:
        """After an error with a question in a message, say so (errors here are only logged)."""
        if self.question_in(message) is None:
            return
        try:
            await self.reply_to(message, render_notice(ERROR_TEXT))
        except Exception:  # the error handler must not raise
            log.warning("could not tell the user about the error", exc_info=True)


async def setup(bot: commands.Bot) -> None:
    """Extension entry point (``bot.load_extension``); the bot itself adds the cog directly."""
    await bot.add_cog(AskCog(bot))  # type: ignore[arg-type]

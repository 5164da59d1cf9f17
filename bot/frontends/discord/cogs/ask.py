"""Asking: ``/ask``, ``/sources``, ``/help``, direct messages and mentions.

Every question, whichever way it arrives, goes through the same steps: the per-user cooldown,
retrieval in the question pool (:meth:`Resources.answer`), and
:func:`bot.render.discord.replies.render_answer`. A slash command is acknowledged (deferred)
before retrieval starts, so Discord's 3-second window is met however long retrieval takes.

``/sources`` and ``/help`` sort every article (long on a large corpus), so they take the
same path: the cooldown, a deferral, and the work in a thread (``asyncio.to_thread``, not the
question pool, which a burst of questions may fill). Checking filters may index the corpus on
first use after a reload, so it runs in a thread too.

Errors: a failing slash command is logged with its traceback and answered with a polite
private message (the tree's error handler, installed by the bot); a failing message is logged
and answered politely here. Either way the bot goes on.
"""

from __future__ import annotations

import asyncio
import logging
import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer.filters import FilterError, parse_inline
from bot.frontends.discord.asking import (
    ERROR_TEXT,
    RESTART_TEXT,
    answering,
    refused,
    votes_allowed,
)
from bot.frontends.discord.messaging import defer, post, send_reply, show_typing
from bot.frontends.discord.options import (
    FILTER_DESCRIPTIONS,
    check_filters,
    source_autocomplete,
)
from bot.frontends.discord.resources import resources_of
from bot.frontends.discord.views import answer_view
from bot.render.discord.pages import page_count, render_help, render_sources
from bot.render.discord.replies import (
    Reply,
    cooldown_text,
    render_answer,
    render_notice,
    render_problem,
)

log = logging.getLogger(__name__)

#: The most characters ``/ask`` accepts (Discord enforces it in the client).
QUESTION_MAX = 300
_ANSWERABLE_TYPES = (discord.MessageType.default, discord.MessageType.reply)


class AskCog(commands.Cog, name="Ask"):
    """Questions and the commands around them."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.resources = resources_of(bot)

    # -- slash commands --------------------------------------------------------------------

    @app_commands.command(name="ask")
    @app_commands.describe(
        question="Your question about the news articles (up to 300 characters)",
        private="Show the answer to you only (default: everyone in the channel sees it)",
        **FILTER_DESCRIPTIONS,
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
        res = self.resources
        if await refused(res, interaction):
            return
        try:
            filters = await asyncio.to_thread(check_filters, res.service, since, until, source)
        except FilterError as exc:
            await send_reply(interaction, render_problem(str(exc)), ephemeral=True)
            return
        async with answering(res, interaction):
            await defer(interaction, ephemeral=private)
            answer = await res.answer(question, filters)
            reply = render_answer(answer)
            view = answer_view(res, answer, reply, votes=votes_allowed(res, private=private))
            await send_reply(interaction, reply, ephemeral=private, view=view)

    @app_commands.command(name="sources")
    @app_commands.describe(page="Which page of the list to show (default: the first)")
    async def sources(
        self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 10_000] = 1
    ) -> None:
        """List the articles I know: title, date, source and link."""
        res = self.resources
        if await refused(res, interaction):
            return
        async with answering(res, interaction):
            await defer(interaction, ephemeral=True)
            reply = await asyncio.to_thread(self._sources_page, page)
            await send_reply(interaction, reply, ephemeral=True)

    def _sources_page(self, page: int) -> Reply:
        """Page ``page`` of the sources, or a notice when there is no such page (in a thread:
        it sorts every article)."""
        articles = self.resources.service.sources()
        per_page = self.resources.settings.discord.sources_per_page
        pages = page_count(len(articles), per_page)
        if page > pages:
            return render_notice(
                f"There {'is' if pages == 1 else 'are'} only {pages} page(s) of sources."
            )
        return render_sources(articles, page, per_page)

    @app_commands.command(name="help")
    async def show_help(self, interaction: discord.Interaction) -> None:
        """What I do, how to ask me, what I know about, and what I store."""
        res = self.resources
        if await refused(res, interaction):
            return
        async with answering(res, interaction):
            await defer(interaction, ephemeral=True)
            reply = await asyncio.to_thread(self._help)
            await send_reply(interaction, reply, ephemeral=True)

    def _help(self) -> Reply:
        """The help embed (in a thread: it reads every article's date)."""
        settings = self.resources.settings
        return render_help(
            self.resources.service.sources(),
            min(QUESTION_MAX, settings.answer.max_question_chars),
            private_votes=settings.discord.log_private_votes,
        )

    # -- direct messages and mentions ------------------------------------------------------

    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None if it is not for the bot.

        Every user message in a DM is a question (a leading mention of the bot is dropped); in
        a server, a message that mentions the bot, or the role Discord gave it, is, with the
        mentions removed. Bots (this one included) are never answered.
        """
        me = self.bot.user
        if me is None or message.author.bot or message.author.id == me.id:
            return None
        if message.type not in _ANSWERABLE_TYPES:
            return None
        if message.guild is None:
            return re.sub(rf"^\s*<@!?{me.id}>", "", message.content).strip()
        role = message.guild.self_role
        by_role = role is not None and role in message.role_mentions
        if not by_role and all(user.id != me.id for user in message.mentions):
            return None
        mentions = rf"<@!?{me.id}>" + (rf"|<@&{role.id}>" if role is not None else "")
        return re.sub(mentions, " ", message.content).strip()

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        question = self.question_in(message)
        if question is None or self.resources.inflight.closing:
            return
        res = self.resources
        retry_after = res.cooldowns.retry_after(message.author.id)
        if retry_after is not None:
            if res.cooldowns.notice_due(message.author.id, retry_after):
                await post(
                    message.channel, render_notice(cooldown_text(retry_after)), reply_to=message
                )
            return
        try:
            async with res.inflight.track():
                filters, question = parse_inline(question)  # since:/until:/source: before it
                await show_typing(message.channel)
                answer = await res.answer(question, filters)
        except FilterError as exc:
            await post(message.channel, render_problem(str(exc)), reply_to=message)
            return
        except asyncio.CancelledError:  # shutting down: say so rather than go quiet
            await post(message.channel, render_notice(RESTART_TEXT), reply_to=message)
            raise
        except Exception:
            log.exception("error while answering a message")
            await post(message.channel, render_notice(ERROR_TEXT), reply_to=message)
            return
        reply = render_answer(answer)
        view = answer_view(
            res, answer, reply, votes=votes_allowed(res, private=message.guild is None)
        )
        await post(message.channel, reply, reply_to=message, view=view)


async def setup(bot: commands.Bot) -> None:
    """Extension entry point: ``bot.load_extension("bot.frontends.discord.cogs.ask")``."""
    await bot.add_cog(AskCog(bot))

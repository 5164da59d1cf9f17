"""Front ends: the console, the one-shot CLI and the Discord client. Each holds an
:class:`~bot.service.AnswerService` and renders the same :class:`~bot.answer.Answer`."""

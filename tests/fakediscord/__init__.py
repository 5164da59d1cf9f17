"""A local fake of Discord (REST v10 + gateway) for offline end-to-end tests of the bot."""

from .server import FakeDiscord, Interaction, RecordedRequest, SentMessage

__all__ = ["FakeDiscord", "Interaction", "RecordedRequest", "SentMessage"]

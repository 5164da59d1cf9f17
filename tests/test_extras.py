"""Optional extras: a missing one is one line naming the pip install, never an ImportError."""

from __future__ import annotations

import pytest

from bot.errors import TalksBotError
from bot.extras import MissingExtra, available, require


def test_a_missing_extra_names_the_install_command():
    with pytest.raises(MissingExtra) as caught:
        require("talks_bot_no_such_module", "html")
    message = str(caught.value)
    assert "pip install 'talks-bot[html]'" in message and "\n" not in message
    assert isinstance(caught.value, TalksBotError)  # the CLI prints it as one line, exit 2


def test_an_installed_module_is_returned():
    assert require("json", "eval").dumps([1]) == "[1]"
    assert available("json") and not available("talks_bot_no_such_module")

"""``python -m bot``: the same entry point as the ``talks-bot`` console script."""

import sys

from bot.cli.main import main

sys.exit(main())

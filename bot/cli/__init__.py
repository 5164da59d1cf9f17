"""The command line (``python -m bot`` / ``talks-bot``): one module per command."""

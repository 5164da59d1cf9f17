"""The service facade that every front end holds, and the stores it owns (feedback)."""

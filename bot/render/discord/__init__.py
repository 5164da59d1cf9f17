"""Rendering answers as Discord messages (embeds, buttons), within Discord's limits."""

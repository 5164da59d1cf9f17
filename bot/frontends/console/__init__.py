"""The interactive console front end."""

"""The running service: settings, database, ASGI app and the `upright` command."""

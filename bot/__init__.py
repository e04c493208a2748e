"""Wiring, channel adapters, the CLI and the web server."""

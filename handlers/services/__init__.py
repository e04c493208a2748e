"""Services: the only door to data for dialogs, commands, jobs and the CLI."""

"""Chat commands that are not dialogs, one module per audience; `actions.py` maps names to them.

The table of every command (who may use it, where, the words that reach it) is
`handlers/command_table.py`.
"""

"""Reports as files: PNG cards, Excel workbooks and CSV, for the CLI, commands and jobs.

Channel-agnostic: nothing here imports `bot`, `telegram` or `aiohttp`.
"""

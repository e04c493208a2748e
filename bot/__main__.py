"""`python -m bot` is the same as `sangkien`."""

import sys

from bot.cli import main

sys.exit(main())

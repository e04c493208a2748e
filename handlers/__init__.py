"""Channel-agnostic conversation logic. Imports no platform library and no wiring."""

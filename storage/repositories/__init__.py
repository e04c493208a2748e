"""Queries, one module per table family. Repositories never commit; the caller's unit of work does."""

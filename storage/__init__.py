"""Persistence: SQLAlchemy models, repositories and Alembic migrations. Never commits for callers."""

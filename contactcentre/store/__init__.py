"""Storage: SQLAlchemy models, Alembic migrations and the database handle.

The database handle works without Flask so the router, dialer and workers can use it directly.
"""

"""The audit database (SQLite): schema via Alembic migrations, access via Store."""

from citeaudit.store.db import StoreError, current_revision, open_engine, upgrade
from citeaudit.store.repo import Store

__all__ = ["Store", "StoreError", "current_revision", "open_engine", "upgrade"]

"""Storage: the SQLite database (through sqlite-utils), its migrations and repositories."""

from storage.db import Store

__all__ = ["Store"]

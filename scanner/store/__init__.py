"""Scan history: every scan and every assessment, in SQLite or PostgreSQL."""

from scanner.store.store import Store, default_url

__all__ = ["Store", "default_url"]

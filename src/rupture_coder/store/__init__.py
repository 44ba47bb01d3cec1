"""Persistence: the ORM models, the project database and its migrations."""

"""Helpers for tests that move the database between migrations or look at its indexes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor


def migrate(target: list[tuple[str, str]]) -> Any:
    """Migrate to ``target`` (app, migration) nodes; returns the apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def migrate_to_latest() -> None:
    """Every app's latest migration. Going back in one app also unapplies the migrations of other
    apps that depend on it; the tests after this one need them all."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def refused(action: Callable[[], object]) -> bool:
    """Whether the database refuses ``action``; nothing it did is kept either way."""
    try:
        with transaction.atomic():
            action()
            transaction.set_rollback(True)
    except DatabaseError:
        return True
    return False


def index_names(tables: Iterable[str]) -> list[str]:
    """The names of the indexes, keys and unique constraints of ``tables``, sorted."""
    with connection.cursor() as cursor:
        return sorted(
            name
            for table in tables
            for name, info in connection.introspection.get_constraints(cursor, table).items()
            if info["index"] or info["primary_key"] or info["unique"]
        )

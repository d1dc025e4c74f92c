"""What every `govwatch` command shares: the --db option, the one-line user error, and the
handling of errors a user can fix.

The five command modules (cli, sources_cli, distributed_cli, digest/command, warc_export) each
had their own copy; they drifted (two --db defaults, one UserError without its docstring), and
sources_cli imported cli back for the helpers, a cycle. Every expected failure ends with one
line on stderr and exit status 2, never a traceback.

It imports only click at load time; the store and the config loader come in with the command
that needs them. A mistyped command line used to wait ~1 s of CPU for imports it never used
(sqlite-utils and numpy, pydantic, APScheduler).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.locations import PROJECT_ROOT

if TYPE_CHECKING:
    import sqlite_utils

# An operator's command waits this long for a crawl's write to finish, then says so (the
# store's own 30 s is for crawl processes taking turns, too long for a person at a prompt).
OPERATOR_BUSY_TIMEOUT_MS = 5000


def default_db_path() -> str:
    """$GOVWATCH_DB, else data/govwatch.db in the project — not in the current folder: a relative
    default silently made a new, empty database when a command ran from another folder (while
    --config was already read from the project)."""
    return os.environ.get("GOVWATCH_DB") or str(PROJECT_ROOT / "data" / "govwatch.db")


DEFAULT_DB = default_db_path()
db_option = click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database file.")


class UserError(click.ClickException):
    """A problem the user can fix: printed as one line, exit status 2."""

    exit_code = 2


@contextmanager
def clear_errors(*also: type[Exception]) -> Iterator[None]:
    """Turn the errors a user can fix (and any of `also`) into one line on stderr and exit status 2."""
    try:
        yield
    except Exception as exc:
        if isinstance(exc, (*_user_error_types(), *also)):
            raise UserError(str(exc)) from None
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
            raise UserError(f"the database is locked by another process ({exc}); "
                            "a crawl or `govwatch run` may be writing: try again in a moment") from None
        raise


def _user_error_types() -> tuple[type[Exception], ...]:
    """The project's user-fixable error types among the modules loaded so far.

    An exception of a type whose module was never imported cannot have been raised, so the
    types are looked up in sys.modules instead of imported: importing them would load the
    config loader and the store (pydantic, sqlite-utils, numpy: ~0.4 s) just to print that a
    file is missing.
    """
    found = []
    for module, name in (("monitor.config", "ConfigError"), ("storage.database", "StoreError"),
                         ("storage.sources", "UnknownSource")):
        if (loaded := sys.modules.get(module)) is not None and hasattr(loaded, name):
            found.append(getattr(loaded, name))
    return tuple(found)


def existing_db(db_path: str, create: bool = False) -> sqlite_utils.Database:
    """The store at `db_path` for an operator command; StoreError when it does not exist (unless `create`)."""
    from storage import open_db
    from storage.database import StoreError

    if not create and not Path(db_path).exists():
        raise StoreError(f"cannot open database {db_path}: no such file (run `govwatch crawl` or `govwatch run` first)")
    db = open_db(db_path)
    db.execute(f"PRAGMA busy_timeout = {OPERATOR_BUSY_TIMEOUT_MS}")
    return db


def service_note(db: sqlite_utils.Database) -> str:
    """When an operator's change takes effect: now if the service runs, else when it starts."""
    from storage.control import running_service

    return "; the running service applies it within seconds" if running_service(db) else \
        " (no service is running; it applies when `govwatch run` starts)"

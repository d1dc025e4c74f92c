"""The store: one SQLite file, its schema and the named functions that read and write it.

This package is the leaf of govwatch: it imports nothing from the project, and no other
package writes SQL against the schema directly.

`open_db` is loaded on first use (PEP 562): importing a light module of the package
(storage.defaults) must not load sqlite-utils, so a command line that fails on its
arguments answers at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.database import open_db

__all__ = ["open_db"]


def __getattr__(name: str) -> Any:
    if name == "open_db":
        from storage.database import open_db

        return open_db
    raise AttributeError(f"module 'storage' has no attribute {name!r}")

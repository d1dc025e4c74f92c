"""The store: one SQLite file, its schema and the named functions that read and write it.

This package is the leaf of govwatch: it imports nothing from the project, and no other
package writes SQL against the schema directly.
"""

from storage.database import open_db

__all__ = ["open_db"]

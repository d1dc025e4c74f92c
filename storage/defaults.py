"""Defaults of stored settings that command lines show and config files fall back to.

Kept apart from the modules that read and write the schema (which import sqlite-utils, and
through it numpy: a fifth of a second) so that `govwatch --help` and the sources-file loader
can name them without opening anything.
"""

# Checks in a row that must find an article gone before its withdrawal is reported, for a
# source whose config does not say.
DEFAULT_CONFIRM_CHECKS = 2

# How long runs keep their log tails and fetch errors by default (`govwatch run --run-log-keep-days`).
RUN_LOG_KEEP_DAYS = 30

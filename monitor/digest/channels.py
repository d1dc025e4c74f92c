"""Which channel strings a subscription may name, and what kind each is: a leaf module.

Kept apart from the reporters (monitor/digest/delivery.py) so that validating a subscriptions
file never imports delivery, which needs the subscriptions' own models: the two used to import
each other (subscriptions → delivery → contents → subscriptions). Each reporter class is
registered under one of these kinds (`Reporter.__kind__`) and is chosen by `channel_kind`.
"""

from __future__ import annotations

import re

ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")  # ${NAME}: a secret read at send time


def channel_kind(channel: str) -> str:
    """"email", "file" or "apprise"; ValueError for anything else."""
    if channel == "email":
        return "email"
    if channel.startswith("file://"):
        return "file"
    if "://" in channel:
        return "apprise"
    raise ValueError(f"unknown channel {channel!r}: use 'email', 'file://DIR' or an Apprise URL")


def check_channel(channel: str) -> None:
    """Raise ValueError unless `channel` names a channel a reporter can use (config validation,
    before anything runs)."""
    kind = channel_kind(channel)
    if kind == "file" and not channel.removeprefix("file://").strip():
        raise ValueError("'file://' needs a folder, e.g. file://data/digests")
    if kind == "apprise" and not ENV_REFERENCE.search(channel):
        import apprise

        if not apprise.Apprise().add(channel):
            raise ValueError(f"Apprise does not understand the channel {channel.split('://')[0]}://… "
                             "(see https://github.com/caronc/apprise/wiki)")

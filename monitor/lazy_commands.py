"""A click group whose commands defined in other modules are imported when they are run.

`govwatch`'s commands live in five modules; importing all of them at start (and through them
the digest's renderers, Jinja and Apprise, and warcio) was part of the ~0.9 s of CPU every
invocation paid before it read its arguments (bench/README.md, "A command at a time"). A
group (monitor/cli.py) names each lazy command as "module:attribute"; it is imported only when
it is invoked or listed in `--help`. This is click's documented pattern ("Lazily Loading
Subcommands")."""

from __future__ import annotations

import importlib
from typing import Any

import click


class LazyGroup(click.Group):
    """A group that adds `lazy_subcommands` (name → "module:attribute") to its eager ones."""

    def __init__(self, *args: Any, lazy_subcommands: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = dict(lazy_subcommands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands:
            return self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def _load(self, cmd_name: str) -> click.Command:
        module_name, attribute = self.lazy_subcommands[cmd_name].split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command) or command.name != cmd_name:
            # A renamed command would otherwise answer to its old name in one place only.
            raise TypeError(f"{module_name}:{attribute} is not the click command {cmd_name!r}")
        return command

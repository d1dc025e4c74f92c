"""Plugin families where declaring a subclass with `__kind__` registers it (urlwatch's TrackSubClasses).

A family's base class declares its own `__kinds__ = {}`; each concrete subclass names its
kind once, on itself, together with its defaults, so adding a kind is one edit.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Registered:
    """Base of a family of kinds: `Family.__kinds__["name"]` is the subclass with `__kind__ = "name"`."""

    __kind__: ClassVar[str | None] = None
    __kinds__: ClassVar[dict[str, type[Any]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("__kind__")
        if kind:
            if kind in cls.__kinds__:
                raise TypeError(f"{cls.__name__}: kind {kind!r} is already {cls.__kinds__[kind].__name__}")
            cls.__kinds__[kind] = cls

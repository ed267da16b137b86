"""How every ``allkg`` command speaks to a person: one-line errors and warnings on standard error, and old option
spellings. A module of its own so that the command modules share it without importing :mod:`allkg.cli` (which
imports them: run as ``python -m allkg.cli``, that would load it twice)."""

from __future__ import annotations

import sys

import click


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def _deprecated(old: str, new: str, value, current=None):
    """Return the value given under an old option spelling (with a warning), else ``current``."""
    if value is None or value is False:
        return current
    _warn(f"{old} is deprecated; use {new}")
    if current is not None:
        _fail(f"give {new} or {old}, not both")
    return value

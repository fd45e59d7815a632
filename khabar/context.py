"""The object every subcommand receives."""

from __future__ import annotations

from dataclasses import dataclass

import click

from contracts.settings import Settings


@dataclass(frozen=True, slots=True)
class Context:
    """The settings, read once by the root command."""

    settings: Settings


pass_context = click.make_pass_decorator(Context)

"""Errors a user can fix: the CLI prints them as one line on stderr and exits 2."""

from __future__ import annotations


class UserError(Exception):
    """Something the user asked for or configured is wrong; the message says what and where."""


class ConfigError(UserError):
    """The config file is missing, unreadable, or has a key with a wrong name, type or value."""

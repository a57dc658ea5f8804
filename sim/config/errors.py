"""The errors a user can cause, each with a one-line message naming the key, the value and the rule.

``ConfigError`` covers every bad input found before a run starts: a value
that breaks a rule, a wrong type, an unknown key, an unknown scenario, a
malformed YAML file, a run too large to be sensible. ``OutputError`` is a
folder the run may not write into (not empty, another run writing there,
a full or read-only disk). Both are ``ValueError`` subclasses; the command
line prints ``error: <message>`` and exits with code 2.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """A configuration value breaks a rule; the message names key, rule, value."""


class OutputError(ConfigError):
    """The output folder cannot take this run's results (the message says why and what to do)."""


class SizeError(ConfigError):
    """The run is too large to be sensible (``force=true`` runs it anyway where it can)."""

"""Errors the core raises for adapters to turn into their own idiom (4xx, a chat line, exit 2).

`StorageError` (the database cannot be opened or written) is storage's own, passed through.
"""

from storage import StorageError

__all__ = ["Conflict", "InputError", "NotFound", "StorageError"]


class InputError(ValueError):
    """The user's input cannot be used; the message says what to fix."""


class NotFound(LookupError):
    """A run, review or chart that does not exist."""


class Conflict(InputError):
    """The request does not fit the current state (e.g. resolving a review already resolved)."""

"""Errors the core raises for adapters to turn into their own idiom (4xx, a chat line, exit 2)."""


class InputError(ValueError):
    """The user's input cannot be used; the message says what to fix."""


class NotFound(LookupError):
    """A run, review or chart that does not exist."""


class Conflict(InputError):
    """The request does not fit the current state (e.g. resolving a review already resolved)."""

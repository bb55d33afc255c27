"""Errors the core raises for adapters to turn into their own idiom (4xx, a chat line, exit 2).

`StorageError` (the database cannot be opened or written) is storage's own, passed through.
"""

from storage import StorageError

__all__ = ["Conflict", "InputError", "NotFound", "StorageError"]


class InputError(ValueError):
    """The user's input cannot be used; the message says what to fix.

    `zh` is the same message in Chinese, for chat replies to Chinese messages (one language per
    reply); without it the English message is used in both.
    """

    def __init__(self, message: str, *, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh

    def in_lang(self, lang: str) -> str:
        return self.zh if lang == "zh" and self.zh else str(self)


class NotFound(LookupError):
    """A run, review or chart that does not exist."""


class Conflict(InputError):
    """The request does not fit the current state (e.g. resolving a review already resolved)."""

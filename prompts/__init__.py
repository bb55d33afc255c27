"""Every prompt the bot sends to a model lives here, as jinja2 templates.

Templates are rendered with autoescape off (they are not HTML), so anything that comes from a user
must go through the `item_text` filter: it escapes `&`, `<` and `>` so a comment cannot close its
`<item>` tag or open a fake one. The version strings are stored with every label, so bump them
whenever a template's wording changes what the model answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

__all__ = ["CONVERSATION_PROMPT_VERSION", "PROMPT_VERSION", "escape_item_text", "render"]

PROMPT_VERSION = "label-v2"
"""Version of the list-labelling prompt (`label_items.j2` + `system.j2`)."""

CONVERSATION_PROMPT_VERSION = "judge-v3"
"""Version of the conversation quality-check prompt (`judge_conversation.j2` + `system.j2`)."""

_DIR = Path(__file__).resolve().parent


def escape_item_text(text: object) -> str:
    """Escape `&` first, then the angle brackets, so the escaping is reversible and tag-safe."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_env = Environment(
    loader=FileSystemLoader(str(_DIR)),
    autoescape=False,
    undefined=StrictUndefined,  # a missing variable is a bug, not an empty string in a prompt
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)
_env.filters["item_text"] = escape_item_text


def render(name: str, **ctx: Any) -> str:
    """Render `prompts/<name>.j2` (the name may be given with or without the `.j2`)."""
    template = name if name.endswith(".j2") else f"{name}.j2"
    return _env.get_template(template).render(**ctx).strip() + "\n"

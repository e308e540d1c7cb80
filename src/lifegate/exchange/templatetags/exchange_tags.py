"""Template helpers of the evidence exchange."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def option_for(options: dict[str, Any] | None, requirement_slug: str) -> Any:
    """The exchange option of one requirement from a step's options (None when there is none)."""
    return (options or {}).get(requirement_slug)

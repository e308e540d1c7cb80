"""What a mandate can cover, checked against the catalogue."""

from dataclasses import dataclass

from lifegate.catalogue.models import LifeEvent, PublicService
from lifegate.mandates.errors import MandateRefused
from lifegate.mandates.models import ScopeKind

_CATALOGUE = {ScopeKind.SERVICE: PublicService, ScopeKind.LIFE_EVENT: LifeEvent}
# Kinds that cover one thing of the person's own, not something in the catalogue: no slug.
WITHOUT_SLUG = frozenset({ScopeKind.INBOX_READ, ScopeKind.INBOX_FULL, ScopeKind.PROCESSING_LOG})


@dataclass(frozen=True)
class Scope:
    """One thing a mandate covers: a service or life event (by slug), the message box, or the
    processing log ("who used my data")."""

    kind: str
    slug: str = ""


def validate_scope(scope: Scope) -> None:
    """Raise `MandateRefused("unknown-scope")` unless `scope` names something that exists."""
    if scope.kind in WITHOUT_SLUG:
        if scope.slug:
            raise MandateRefused("unknown-scope")
        return
    model = _CATALOGUE.get(ScopeKind(scope.kind)) if scope.kind in ScopeKind.values else None
    if (
        model is None
        or not scope.slug
        or not model._default_manager.filter(slug=scope.slug).exists()
    ):
        raise MandateRefused("unknown-scope")

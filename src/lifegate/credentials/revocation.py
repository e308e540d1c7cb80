"""Revoking, suspending and reinstating issued credentials.

A change flips the credential's entry in its status list (1 revoked, 2 suspended, 0 valid
again), and the same for its copies in external wallets; each list changed gets a new
version whose signed token is appended to the transparency log, and the change is recorded in
the person's processing log, all in one transaction. Revoking is final: a revoked credential
is never valid again. Asking for the state a credential already has changes nothing."""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from lifegate.credentials.issuing import ACTIVITY, IssuingRefused
from lifegate.credentials.models import IssuedCredential
from lifegate.credentials.status_lists import apply_states
from lifegate.transparency.services import Actor, decrypt_subject, record_processing

State = IssuedCredential.State
# The states a credential may go to from each state.
ALLOWED = {
    State.VALID: {State.REVOKED, State.SUSPENDED},
    State.SUSPENDED: {State.REVOKED, State.VALID},
    State.REVOKED: set(),
}
ACTIONS = {State.REVOKED: "revoke", State.SUSPENDED: "suspend", State.VALID: "reinstate"}
DATA_CATEGORIES = ("credential-status",)


def revoke(credential: IssuedCredential, *, actor: Actor) -> IssuedCredential:
    """Revoke `credential` and its copies for good."""
    return change_state(credential, State.REVOKED, actor=actor)


def suspend(credential: IssuedCredential, *, actor: Actor) -> IssuedCredential:
    """Suspend `credential` and its copies until they are reinstated (or revoked)."""
    return change_state(credential, State.SUSPENDED, actor=actor)


def reinstate(credential: IssuedCredential, *, actor: Actor) -> IssuedCredential:
    """Make a suspended `credential` and its suspended copies valid again."""
    return change_state(credential, State.VALID, actor=actor)


def change_state(credential: IssuedCredential, target: str, *, actor: Actor) -> IssuedCredential:
    """Move `credential` (an original, with its copies) to `target`; returns it as stored.
    Raises IssuingRefused (revoked-is-final) for a change a revoked credential cannot make."""
    state_changed(credential, target, actor=actor)
    return credential


def state_changed(credential: IssuedCredential, target: str, *, actor: Actor) -> bool:
    """`change_state`, saying whether this call changed the state (and recorded it): False
    when the credential had it already, also when a concurrent call set it just before."""
    with transaction.atomic():
        current = IssuedCredential.objects.select_for_update().get(pk=credential.pk)
        if current.state == target:
            credential.refresh_from_db()
            return False
        if target not in ALLOWED[State(current.state)]:
            raise IssuingRefused("revoked-is-final", "a revoked credential cannot change state")
        copies = IssuedCredential.objects.select_for_update().filter(copy_of=current)
        # Copies follow the original, except that a revoked copy stays revoked.
        changed = [current, *(copy for copy in copies if copy.state != State.REVOKED)]
        _apply(changed, target)
        record_processing(
            name=f"credentials.{ACTIONS[State(target)]}.{current.credential_type.slug}"[:120],
            subject=decrypt_subject(current.subject_sealed),
            activity=ACTIVITY,
            actor=actor,
            data_categories=DATA_CATEGORIES,
        )
    credential.refresh_from_db()  # the caller's instance shows the change too
    return True


def _apply(credentials: list[IssuedCredential], target: str) -> None:
    """Set the state of `credentials` and their status list entries, one new version for
    each list touched."""
    by_list: dict[int, dict[int, str]] = defaultdict(dict)
    for each in credentials:
        by_list[each.status_list_id][each.status_index] = target
    for status_list_id, states in sorted(by_list.items()):
        apply_states(status_list_id, states)
    IssuedCredential.objects.filter(pk__in=[each.pk for each in credentials]).update(
        state=target, state_changed_at=timezone.now()
    )

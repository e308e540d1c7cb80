"""Background work of the credentials building block."""

from django.tasks import task

from lifegate.credentials import log


@task()
def seal_log() -> int:
    """Sign a checkpoint of the transparency log if it grew; returns the checkpoint's size."""
    return log.checkpoint().size


@task()
def purge_presentation_requests() -> int:
    """Delete the verifiers' requests and results past their retention period."""
    from lifegate.credentials import verifying

    return verifying.purge_stale()


@task()
def purge_wallet_exchanges() -> str:
    """Delete the OpenID4VCI offers, wallet requests, nonces and used proofs past use."""
    from lifegate.credentials import oid4vci_purge

    return str(oid4vci_purge.purge_spent())


@task()
def after_key_withdrawal(kid: str) -> str:
    """Sign again the portal wallet's credentials of withdrawn keys, and tell the holders of
    wallet copies signed by `kid` to pick up a new one (`withdrawal`)."""
    from lifegate.credentials import withdrawal

    signed = withdrawal.sign_again_pending()
    told = withdrawal.tell_wallet_holders(kid)
    return f"signed again: {signed}; holders told: {told.sent} (before: {told.earlier})"


@task()
def follow_up_withdrawals() -> str:
    """The housekeeping's repeat of `after_key_withdrawal` for every key withdrawn in the
    last `withdrawal.RETELL_DAYS` (a lost task, a credential signed while it was withdrawn)."""
    from lifegate.credentials import withdrawal

    signed = withdrawal.sign_again_pending()
    told = sum(withdrawal.tell_wallet_holders(kid).sent for kid in withdrawal.recently_withdrawn())
    return f"signed again: {signed}; holders told: {told}"

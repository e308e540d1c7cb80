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

"""The credentials building block's tables, one module per entity group."""

from lifegate.credentials.models.issued import IssuedCredential, StatusList  # noqa: F401
from lifegate.credentials.models.log import LogCheckpoint, LogEntry, LogHead, LogSubtree  # noqa: F401
from lifegate.credentials.models.offer import (  # noqa: F401
    CredentialNonce,
    CredentialOffer,
    UsedProof,
    WalletAuthorization,
)
from lifegate.credentials.models.presentation import PresentationRequest  # noqa: F401

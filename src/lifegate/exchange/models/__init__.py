"""Models of the evidence exchange, one module per concern."""

from lifegate.exchange.models.evidence import EvidencePreview, EvidenceRequest
from lifegate.exchange.models.replay import ReceivedMessage

__all__ = ["EvidencePreview", "EvidenceRequest", "ReceivedMessage"]

"""The service catalogue, modelled on CPSV-AP 3.2 (Core Public Service Vocabulary Application
Profile). Every text a person reads exists in Dutch (`_nl`) and English (`_en`); `localized()`
picks the active language. Rows are keyed by a stable `slug` that also forms their URI.

One module per entity group; everything is importable from `lifegate.catalogue.models`."""

from lifegate.catalogue.models.base import (
    AskedValue,
    AssuranceLevel,
    Bilingual,
    identifier_validator,
    oin_validator,
    slug_validator,
)
from lifegate.catalogue.models.credential_types import (
    CLAIM_FIELDS,
    CLAIM_KEY,
    RESERVED_CLAIM_NAMES,
    CredentialType,
    claims_problem,
)
from lifegate.catalogue.models.evidence import (
    EvidenceMapping,
    EvidenceProvider,
    EvidenceType,
    node_validator,
    validate_country_code,
)
from lifegate.catalogue.models.life_events import (
    EventService,
    LifeEvent,
    LifeEventQuestion,
    QuestionKind,
    StepKind,
)
from lifegate.catalogue.models.organisations import (
    Channel,
    LegalResource,
    ProcessingActivity,
    PublicOrganisation,
)
from lifegate.catalogue.models.services import (
    Cost,
    FieldKind,
    FormField,
    PublicService,
    Requirement,
    SdgProcedure,
)

__all__ = [
    "CLAIM_FIELDS",
    "CLAIM_KEY",
    "RESERVED_CLAIM_NAMES",
    "AskedValue",
    "AssuranceLevel",
    "Bilingual",
    "Channel",
    "Cost",
    "CredentialType",
    "EventService",
    "EvidenceMapping",
    "EvidenceProvider",
    "EvidenceType",
    "FieldKind",
    "FormField",
    "LegalResource",
    "LifeEvent",
    "LifeEventQuestion",
    "ProcessingActivity",
    "PublicOrganisation",
    "PublicService",
    "QuestionKind",
    "Requirement",
    "SdgProcedure",
    "StepKind",
    "claims_problem",
    "identifier_validator",
    "node_validator",
    "oin_validator",
    "slug_validator",
    "validate_country_code",
]

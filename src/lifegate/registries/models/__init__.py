"""The embedded population register's tables: one module per entity."""

from lifegate.registries.models.address import RegisteredAddress
from lifegate.registries.models.education import RegisteredDiploma
from lifegate.registries.models.person import Gender, RegisteredPerson
from lifegate.registries.models.relations import ParentChildRelation, Partnership

__all__ = [
    "Gender",
    "ParentChildRelation",
    "Partnership",
    "RegisteredAddress",
    "RegisteredDiploma",
    "RegisteredPerson",
]

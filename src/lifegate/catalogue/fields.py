"""The words the layout of the catalogue data file is written in: the kinds of field a row has
(`Text`, `Plain`, `Ref`, ..., `Children`), `Section` (a model and the fields of its rows), and the
keys and defaults of a service's life-event steps.

What each kind means in the file is described in `schema.py`, which also declares the layout
itself (`SECTIONS`); how a row becomes model columns and back is in `columns.py`. Not to be
confused with the fields of `models.py` or the `FormField` model."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from lifegate.catalogue import models as m


@dataclass(frozen=True)
class Text:
    name: str
    required: bool = True


@dataclass(frozen=True)
class Plain:
    name: str
    type: type | tuple[type, ...] = str
    required: bool = True
    default: Any = ""


@dataclass(frozen=True)
class Ref:
    name: str
    section: str
    required: bool = True


@dataclass(frozen=True)
class Refs:
    name: str
    section: str


@dataclass(frozen=True)
class Duration:
    name: str


@dataclass(frozen=True)
class Keywords:
    name: str


@dataclass(frozen=True)
class Choices:
    name: str


@dataclass(frozen=True)
class Claims:
    name: str


@dataclass(frozen=True)
class Steps:
    name: str
    section: str


@dataclass(frozen=True)
class Children:
    name: str
    section: str
    # The model's related name, where it differs from the key in the file.
    related_name: str = ""

    @property
    def accessor(self) -> str:
        return self.related_name or self.name


Field = Text | Plain | Ref | Refs | Duration | Keywords | Choices | Claims | Steps | Children


@dataclass(frozen=True)
class Section:
    key: str
    model: type[Model]
    fields: tuple[Field, ...]
    # For sections nested in another section's rows: the foreign key to the enclosing row.
    parent: Ref | None = None
    # What identifies a row: a slug unique in the catalogue, (for `ordered` nested rows) a
    # key unique within the enclosing row, or several of the row's own fields together.
    identity: str | tuple[str, ...] = "slug"
    # Nested rows whose place in the list is stored as their `position`.
    ordered: bool = False

    @property
    def keys(self) -> set[str]:
        """Every key a row of this section may have."""
        return set(self.identity_names) | {f.name for f in self.fields}

    @property
    def composite(self) -> bool:
        """True for rows identified by several of their own fields rather than a slug or key."""
        return isinstance(self.identity, tuple)

    @property
    def identity_names(self) -> tuple[str, ...]:
        """The keys of a row that identify it."""
        return self.identity if isinstance(self.identity, tuple) else (self.identity,)

    @property
    def identity_columns(self) -> tuple[str, ...]:
        """The model columns that identify a stored row (`<name>_id` for a reference)."""
        refs = {f.name for f in self.fields if isinstance(f, Ref)}
        return tuple(f"{name}_id" if name in refs else name for name in self.identity_names)

    @property
    def export_order(self) -> tuple[str, ...]:
        """The order of exported rows: by slug, or by the identifying fields (references by
        the slug they point to)."""
        refs = {f.name for f in self.fields if isinstance(f, Ref)}
        return tuple(f"{name}__slug" if name in refs else name for name in self.identity_names)

    @property
    def derived(self) -> set[str]:
        """Columns the loader fills from where a row is, not from the row itself."""
        return ({self.parent.name} if self.parent else set()) | (
            {"position"} if self.ordered else set()
        )


# The keys of a step in a service's `life_events`, and the defaults the file leaves out.
STEP_KEYS = ("position", "kind", "rule", "reason", "skip_reason", "depends_on", "deadline")
DEADLINE_KEYS = ("days", "from")
DEFAULT_STEP_KIND = m.StepKind.REQUEST.value

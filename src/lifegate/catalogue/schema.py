"""How the catalogue data file maps onto the catalogue models.

Each top-level section of the file (and each list nested in a service) is a `Section`: a model
and its fields. A field says how one key of a row becomes model columns and back, so the
validator, the loader and the exporter all read the same description (the kinds of field are
in `fields.py`, turning rows into columns and back in `columns.py`):

- `Text`: a `{nl: ..., en: ...}` pair stored in `<name>_nl` / `<name>_en`
- `Plain`: a scalar stored as is; left out of the file when it equals its default
- `Ref` / `Refs`: one slug (foreign key) or a list of slugs (many-to-many)
- `Duration`: `{duration: P8W, nl: ..., en: ...}` for the ISO 8601 period and its wording
- `Keywords`: `{nl: [...], en: [...]}` stored comma-separated
- `Choices`: the options of a choice question or form field, `[{value, nl, en}, ...]`
- `Claims`: the claims of a credential type, `[{key, label: {nl, en}, disclosable}]`
  (`disclosable: true` when left out), stored as a JSON list of
  `{key, label_nl, label_en, disclosable}`
- `Steps`: a service's place in each life event. Either `{life-event-slug: position}`, or for a
  step with a plan rule `{life-event-slug: {position, kind, rule, reason, skip_reason,
  depends_on, deadline: {days, from}}}`, keys with their default value left out (`kind:
  request`, no rule: always applies). `depends_on` names other services of the same life event.
- `Children`: rows of a nested section that point back to this row. Most have a slug of their
  own; questions and form fields have a `key` unique within their row, and their order in the
  file is their order on screen.

Rows of the evidence broker and directory have no slug: they are identified by some of their
own fields together (a requirement, a country and an evidence type), see `Section.identity`.

Languages: a file may declare `languages: [en]` at the top. Its texts are then written in
English only, and each English text is used for Dutch as well (a text that does give Dutch
keeps it). Without the key every text needs both languages. See `languages.fill_languages`.
"""

from lifegate.catalogue import models as m
from lifegate.catalogue.fields import (
    Children,
    Choices,
    Claims,
    Duration,
    Keywords,
    Plain,
    Ref,
    Refs,
    Section,
    Steps,
    Text,
)

SECTIONS: tuple[Section, ...] = (
    Section(
        "organisations",
        m.PublicOrganisation,
        (
            Plain("oin"),
            Plain("kind"),
            Text("name"),
            Text("description", required=False),
            Plain("homepage", required=False),
            Text("spatial"),
        ),
    ),
    Section(
        "channels",
        m.Channel,
        (
            Ref("owner", "organisations"),
            Plain("kind"),
            Text("name"),
            Plain("address", required=False),
            Text("hours", required=False),
        ),
    ),
    Section("legal_resources", m.LegalResource, (Plain("uri"), Text("name"))),
    Section(
        "evidence_types",
        m.EvidenceType,
        (
            Text("name"),
            Text("description", required=False),
            Ref("issuer", "organisations", required=False),
        ),
    ),
    Section(
        "credential_types",
        m.CredentialType,
        (
            Text("name"),
            Text("description", required=False),
            Ref("issuer", "organisations"),
            Plain("validity_days", type=int, required=False, default=None),
            Claims("claims"),
        ),
    ),
    Section(
        "processing_activities",
        m.ProcessingActivity,
        (
            Ref("controller", "organisations"),
            Text("name"),
            Text("purpose"),
            Text("legal_basis"),
            Refs("legal_resources", "legal_resources"),
            Plain("data_categories", type=list),
            Text("retention", required=False),
            Plain("version", type=int, required=False, default=1),
        ),
    ),
    Section(
        "life_events",
        m.LifeEvent,
        (
            Plain("kind", required=False, default="life"),
            Plain("position", type=int),
            Text("name"),
            Text("description"),
            Plain("sdg_life_event", required=False),
            Children("questions", "questions"),
        ),
    ),
    Section(
        "questions",
        m.LifeEventQuestion,
        (
            Plain("kind"),
            Plain("required", type=bool, required=False, default=True),
            Text("label"),
            Text("help", required=False),
            Choices("choices"),
        ),
        parent=Ref("life_event", "life_events"),
        identity="key",
        ordered=True,
    ),
    Section(
        "services",
        m.PublicService,
        (
            Ref("competent_authority", "organisations"),
            Refs("participants", "organisations"),
            Text("name"),
            Text("description"),
            Text("audience"),
            Text("how_to"),
            Text("output"),
            Duration("processing_time"),
            Text("deadline", required=False),
            Keywords("keywords"),
            Plain("online_url", required=False),
            Plain("minimum_assurance_level", required=False, default="substantial"),
            Refs("channels", "channels"),
            Refs("legal_resources", "legal_resources"),
            Ref("processing_activity", "processing_activities", required=False),
            Steps("life_events", "life_events"),
            Children("requirements", "requirements"),
            Children("costs", "costs"),
            Children("form", "form_fields", related_name="form_fields"),
        ),
    ),
    Section(
        "form_fields",
        m.FormField,
        (
            Plain("kind", required=False, default=m.FieldKind.TEXT.value),
            Plain("required", type=bool, required=False, default=True),
            Plain("prefill", required=False),
            Text("label"),
            Text("help", required=False),
            Choices("choices"),
        ),
        parent=Ref("service", "services"),
        identity="key",
        ordered=True,
    ),
    Section(
        "requirements",
        m.Requirement,
        (
            Text("name"),
            Text("description", required=False),
            Refs("evidence_types", "evidence_types"),
        ),
        parent=Ref("service", "services"),
    ),
    Section(
        "costs",
        m.Cost,
        (
            Plain("value", type=(int, float)),
            Plain("currency", required=False, default="EUR"),
            Text("description"),
        ),
        parent=Ref("service", "services"),
    ),
    Section(
        "sdg_procedures",
        m.SdgProcedure,
        (
            Text("life_event"),
            Text("name"),
            Text("output"),
            Plain("oots_code", required=False),
            Refs("services", "services"),
        ),
    ),
    Section(
        "evidence_broker",
        m.EvidenceMapping,
        (
            Ref("requirement", "requirements"),
            Plain("country"),
            Ref("evidence_type", "evidence_types"),
        ),
        identity=("requirement", "country", "evidence_type"),
    ),
    Section(
        "evidence_directory",
        m.EvidenceProvider,
        (
            Ref("evidence_type", "evidence_types"),
            Plain("country"),
            Plain("node"),
            Text("organisation_name"),
        ),
        identity=("evidence_type", "country"),
    ),
)

BY_KEY = {section.key: section for section in SECTIONS}
TOP_LEVEL = tuple(section for section in SECTIONS if section.parent is None)

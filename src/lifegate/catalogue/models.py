"""The service catalogue, modelled on CPSV-AP 3.2 (Core Public Service Vocabulary Application
Profile). Every text a person reads exists in Dutch (`_nl`) and English (`_en`); `localized()`
picks the active language. Rows are keyed by a stable `slug` that also forms their URI."""

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lifegate.core.i18n import Localized

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", _("Use lower-case letters, digits and hyphens.")
)
oin_validator = RegexValidator(r"^\d{20}$", _("An OIN is 20 digits."))


class AssuranceLevel(models.TextChoices):
    """eIDAS levels of assurance a service can require."""

    LOW = "low", _("low")
    SUBSTANTIAL = "substantial", _("substantial")
    HIGH = "high", _("high")


class Bilingual(Localized, models.Model):
    """Base for catalogue entities: a slug and helpers for the `_nl`/`_en` text pairs."""

    slug = models.SlugField(max_length=80, unique=True, validators=[slug_validator])

    class Meta:
        abstract = True
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.localized("name") or self.slug

    @property
    def name(self) -> str:
        """Name in the active language."""
        return self.localized("name")


class PublicOrganisation(Bilingual):
    """A government organisation providing services (cv:PublicOrganisation)."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("municipality")
        NATIONAL_AGENCY = "national-agency", _("national agency")
        INDEPENDENT_BODY = "independent-body", _("independent administrative body")
        PRIVATE_WITH_PUBLIC_TASK = (
            "private-public-task",
            _("private organisation with a public task"),
        )

    oin = models.CharField("OIN", max_length=20, unique=True, validators=[oin_validator])
    kind = models.CharField(max_length=30, choices=Kind.choices)
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_nl = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    homepage = models.URLField(blank=True)
    # dct:spatial: the administrative territory the organisation serves
    spatial_nl = models.CharField(max_length=120, default="Nederland")
    spatial_en = models.CharField(max_length=120, default="The Netherlands")

    class Meta(Bilingual.Meta):
        verbose_name = _("public organisation")


class Channel(Bilingual):
    """A way to reach an organisation: website, phone, counter, e-mail, chat, app (cv:Channel)."""

    class Kind(models.TextChoices):
        WEBSITE = "website", _("website")
        PHONE = "phone", _("phone")
        COUNTER = "counter", _("counter")
        EMAIL = "email", _("e-mail")
        CHAT = "chat", _("chat")
        APP = "app", _("app")
        MAIL = "mail", _("post")

    owner = models.ForeignKey(PublicOrganisation, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    address = models.CharField(
        max_length=300, blank=True, help_text=_("URL, phone number or street address")
    )
    hours_nl = models.CharField(max_length=200, blank=True)
    hours_en = models.CharField(max_length=200, blank=True)

    class Meta(Bilingual.Meta):
        verbose_name = _("channel")


class LegalResource(Bilingual):
    """A law or regulation a service is based on (eli:LegalResource)."""

    uri = models.URLField(help_text=_("ELI or wetten.overheid.nl address"))
    name_nl = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)

    class Meta(Bilingual.Meta):
        verbose_name = _("legal resource")


class EvidenceType(Bilingual):
    """A kind of proof a service may require, e.g. a birth certificate.

    Exported as cv:Evidence conforming to a cv:EvidenceType."""

    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_nl = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    issuer = models.ForeignKey(
        PublicOrganisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence_types",
    )

    class Meta(Bilingual.Meta):
        verbose_name = _("evidence type")


# Claim names an SD-JWT VC gives a meaning of its own (RFC 9901, SD-JWT VC, RFC 7519): a
# credential type cannot use them for what it says about the person.
RESERVED_CLAIM_NAMES = frozenset(
    {"iss", "sub", "aud", "jti", "vct", "iat", "nbf", "exp", "status", "cnf", "_sd", "_sd_alg"}
)
CLAIM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CLAIM_FIELDS = {"key", "label_nl", "label_en", "disclosable"}


def claims_problem(claims: Any) -> str:
    """Why `claims` cannot be a credential type's claims ("" when they can): a non-empty list
    of {key, label_nl, label_en, disclosable}, keys unique, lower-case and not reserved."""
    if not isinstance(claims, list) or not claims:
        return str(_("Give at least one claim."))
    keys: list[str] = []
    for claim in claims:
        if not isinstance(claim, dict) or set(claim) != CLAIM_FIELDS:
            return str(_("Each claim has exactly: key, label_nl, label_en and disclosable."))
        key, disclosable = claim["key"], claim["disclosable"]
        labels = (claim["label_nl"], claim["label_en"])
        if not isinstance(key, str) or not CLAIM_KEY.match(key):
            return str(_("A claim key uses lower-case letters, digits and underscores."))
        if key in RESERVED_CLAIM_NAMES:
            return str(_("%(key)s is reserved by SD-JWT VC.")) % {"key": key}
        if not all(isinstance(label, str) and label.strip() for label in labels):
            return str(_("Every claim needs a Dutch and an English label."))
        if not isinstance(disclosable, bool):
            return str(_("disclosable is true or false."))
        keys.append(key)
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        message = str(_("Claim keys are used more than once: %(keys)s"))
        return message % {"keys": ", ".join(repeated)}
    return ""


class CredentialType(Bilingual):
    """A kind of verifiable credential this node issues as an SD-JWT VC (its `vct`), such as
    a diploma: who issues it, how long it stays valid and which claims it holds.

    `claims` is a list of {key, label_nl, label_en, disclosable}: the claim's name in the
    credential, its label for people, and whether the holder may show it or leave it out."""

    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_nl = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    issuer = models.ForeignKey(
        PublicOrganisation, on_delete=models.PROTECT, related_name="credential_types"
    )
    validity_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Days a credential stays valid after it is issued; empty: it does not expire"),
    )
    claims = models.JSONField(
        default=list,
        help_text=_(
            'e.g. [{"key": "title", "label_nl": "Titel", "label_en": "Title", "disclosable": true}]'
        ),
    )

    class Meta(Bilingual.Meta):
        verbose_name = _("credential type")

    @property
    def vct(self) -> str:
        """The SD-JWT VC type identifier: a URL of this node."""
        return f"{settings.BASE_URL}/credentials/types/{self.slug}"

    @property
    def claim_keys(self) -> list[str]:
        """The claims' keys, in order."""
        return [claim["key"] for claim in self.claims]

    @property
    def disclosable_claims(self) -> list[str]:
        """The keys of the claims the holder may leave out when presenting."""
        return [claim["key"] for claim in self.claims if claim["disclosable"]]

    def claim_label(self, key: str, language: str | None = None) -> str:
        """The label of claim `key` in `language` (default: the active one; Dutch otherwise)."""
        code = (language or get_language() or "nl")[:2]
        for claim in self.claims:
            if claim["key"] == key:
                return str(claim.get(f"label_{code}") or claim["label_nl"])
        raise KeyError(key)

    def clean(self) -> None:
        """Reject claims a credential could not carry, with the reason."""
        problem = claims_problem(self.claims)
        if problem:
            raise ValidationError({"claims": problem})


class LifeEvent(Bilingual):
    """A moment in life (cv:LifeEvent) or of a business (cv:BusinessEvent) grouping services."""

    class Kind(models.TextChoices):
        LIFE = "life", _("life event")
        BUSINESS = "business", _("business event")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LIFE)
    position = models.PositiveSmallIntegerField(default=0, help_text=_("Order in the overview"))
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_nl = models.TextField()
    description_en = models.TextField()
    # Code from the EU SDG life-event list where one applies (e.g. "Birth", "Moving").
    sdg_life_event = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("life event")


class ProcessingActivity(Bilingual):
    """An entry in the register of processing activities (GDPR art. 30): purpose and legal basis.
    Processing records point here (`dpl.core.processing_activity_id`)."""

    controller = models.ForeignKey(
        PublicOrganisation, on_delete=models.PROTECT, related_name="processing_activities"
    )
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    purpose_nl = models.TextField()
    purpose_en = models.TextField()
    legal_basis_nl = models.TextField()
    legal_basis_en = models.TextField()
    legal_resources = models.ManyToManyField(LegalResource, blank=True)
    data_categories = models.JSONField(default=list, help_text=_('e.g. ["name", "address"]'))
    retention_nl = models.CharField(max_length=300, blank=True)
    retention_en = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta(Bilingual.Meta):
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")


class PublicService(Bilingual):
    """A public service (cpsv:PublicService) provided by a competent authority."""

    competent_authority = models.ForeignKey(
        PublicOrganisation, on_delete=models.PROTECT, related_name="services"
    )
    participants = models.ManyToManyField(
        PublicOrganisation, blank=True, related_name="participating_services"
    )
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_nl = models.TextField()
    description_en = models.TextField()
    audience_nl = models.TextField(help_text=_("For whom"))
    audience_en = models.TextField()
    how_to_nl = models.TextField(help_text=_("How to start"))
    how_to_en = models.TextField()
    output_nl = models.CharField(max_length=300, help_text=_("What you get (cv:Output)"))
    output_en = models.CharField(max_length=300)
    processing_time = models.CharField(
        max_length=40, blank=True, help_text=_("ISO 8601 duration, e.g. P8W")
    )
    processing_time_nl = models.CharField(max_length=200, blank=True)
    processing_time_en = models.CharField(max_length=200, blank=True)
    deadline_nl = models.CharField(
        max_length=300, blank=True, help_text=_("A deadline set by law, if any")
    )
    deadline_en = models.CharField(max_length=300, blank=True)
    keywords_nl = models.CharField(max_length=300, blank=True)
    keywords_en = models.CharField(max_length=300, blank=True)
    online_url = models.URLField(blank=True, help_text=_("Where the service is started online"))
    minimum_assurance_level = models.CharField(
        max_length=12, choices=AssuranceLevel.choices, default=AssuranceLevel.SUBSTANTIAL
    )
    channels = models.ManyToManyField(Channel, blank=True, related_name="services")
    legal_resources = models.ManyToManyField(LegalResource, blank=True, related_name="services")
    life_events = models.ManyToManyField(LifeEvent, through="EventService", related_name="services")
    processing_activity = models.ForeignKey(
        ProcessingActivity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="services",
    )

    class Meta(Bilingual.Meta):
        verbose_name = _("public service")


class StepKind(models.TextChoices):
    """What a person does for a service in a life-event plan."""

    REQUEST = "request", _("request through lifegate")
    SELF_SERVICE = "self-service", _("arrange it yourself with the agency")
    AUTOMATIC = "automatic", _("government does it for you")


class EventService(Localized, models.Model):
    """A service's place in a life event: the order in which a person deals with it, and the
    plan rule: when it applies (a CEL expression over facts, see `catalogue.rules`), why, what
    it waits for and its legal deadline."""

    life_event = models.ForeignKey(
        LifeEvent, on_delete=models.CASCADE, related_name="event_services"
    )
    service = models.ForeignKey(
        PublicService, on_delete=models.CASCADE, related_name="event_services"
    )
    position = models.PositiveSmallIntegerField(default=0)
    step_kind = models.CharField(max_length=12, choices=StepKind.choices, default=StepKind.REQUEST)
    rule = models.TextField(
        blank=True,
        help_text=_(
            "When the service applies, as a CEL expression over the facts, e.g. "
            "person.age >= 18 && answers.destination_country != 'NL'. Empty: always."
        ),
    )
    reason_nl = models.CharField(max_length=300, blank=True)
    reason_en = models.CharField(max_length=300, blank=True)
    skip_reason_nl = models.CharField(max_length=300, blank=True)
    skip_reason_en = models.CharField(max_length=300, blank=True)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents"
    )
    deadline_days = models.SmallIntegerField(
        null=True, blank=True, help_text=_("Days after the anchor date; negative is before")
    )
    deadline_from = models.CharField(
        max_length=60, blank=True, help_text=_("The date fact the deadline counts from")
    )

    class Meta:
        ordering = ["life_event", "position", "service__slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["life_event", "service"], name="unique_service_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.life_event.slug} #{self.position}: {self.service.slug}"

    def clean(self) -> None:
        """Reject a rule or deadline the plan engine could not evaluate, with the reason."""
        from lifegate.catalogue import rules

        errors: dict[str, str] = {}
        if self.life_event_id is not None:
            questions = list(self.life_event.questions.all())
            problem = rules.rule_problem(self.rule, questions)
            if problem:
                errors["rule"] = problem
            problem = rules.deadline_problem(self.deadline_from, self.deadline_days, questions)
            if problem:
                errors["deadline_from"] = problem
        if errors:
            raise ValidationError(errors)


class QuestionKind(models.TextChoices):
    DATE = "date", _("date")
    COUNTRY = "country", _("country")
    YES_NO = "yes-no", _("yes or no")
    CHOICE = "choice", _("choice")


identifier_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*$", _("Use lower-case letters, digits and underscores.")
)


class AskedValue(Localized, models.Model):
    """What a question and a form field share: a key, a label and help text in both
    languages, whether it is required, and the options of a choice."""

    key = models.CharField(max_length=40, validators=[identifier_validator])
    position = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=True)
    label_nl = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200)
    help_nl = models.CharField(max_length=300, blank=True)
    help_en = models.CharField(max_length=300, blank=True)
    # For kind=choice: [{"value": "rent", "nl": "Huur", "en": "Rent"}, ...]
    choices = models.JSONField(default=list, blank=True)
    kind: str

    class Meta:
        abstract = True

    def problems(self) -> dict[str, str]:
        """Field name → why its value cannot work; empty when all is well."""
        from lifegate.catalogue import rules

        problem = rules.choices_problem(self.kind, self.choices)
        return {"choices": problem} if problem else {}

    def clean(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError(problems)


class LifeEventQuestion(AskedValue):
    """A question a life event asks because no register knows the answer ("when is the
    move?"). Rules read the answer as `answers.<key>`."""

    life_event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)

    class Meta:
        ordering = ["life_event", "position", "key"]
        verbose_name = _("life-event question")
        constraints = [
            models.UniqueConstraint(fields=["life_event", "key"], name="unique_question_key")
        ]

    def __str__(self) -> str:
        return f"{self.life_event.slug}: {self.key}"


class FieldKind(models.TextChoices):
    TEXT = "text", _("text")
    LONG_TEXT = "long-text", _("long text")
    DATE = "date", _("date")
    NUMBER = "number", _("number")
    EMAIL = "email", _("e-mail address")
    PHONE = "phone", _("phone number")
    IBAN = "iban", _("IBAN")
    POSTCODE = "postcode", _("Dutch postcode")
    COUNTRY = "country", _("country")
    YES_NO = "yes-no", _("yes or no")
    CHOICE = "choice", _("choice")


class FormField(AskedValue):
    """A field of a service's request form. A field with `prefill` is filled from what
    government already knows (a fact path such as `person.full_name`, see `catalogue.rules`);
    the person confirms it instead of typing it."""

    service = models.ForeignKey(PublicService, on_delete=models.CASCADE, related_name="form_fields")
    kind = models.CharField(max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    prefill = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["service", "position", "key"]
        verbose_name = _("form field")
        constraints = [
            models.UniqueConstraint(fields=["service", "key"], name="unique_form_field_key")
        ]

    def __str__(self) -> str:
        return f"{self.service.slug}: {self.key}"

    def problems(self) -> dict[str, str]:
        from lifegate.catalogue import rules

        problems = super().problems()
        problem = rules.prefill_problem(self.prefill)
        if problem:
            problems["prefill"] = problem
        return problems


class Requirement(Bilingual):
    """A condition for a service (cv:Requirement), met by one of its evidence types."""

    service = models.ForeignKey(
        PublicService, on_delete=models.CASCADE, related_name="requirements"
    )
    name_nl = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    description_nl = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    evidence_types = models.ManyToManyField(EvidenceType, blank=True, related_name="requirements")

    class Meta(Bilingual.Meta):
        verbose_name = _("requirement")


class Cost(Bilingual):
    """A fee for a service (cv:Cost). A value of zero means free of charge."""

    service = models.ForeignKey(PublicService, on_delete=models.CASCADE, related_name="costs")
    value = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    description_nl = models.CharField(max_length=300)
    description_en = models.CharField(max_length=300)

    class Meta(Bilingual.Meta):
        verbose_name = _("cost")

    @property
    def name(self) -> str:
        """Costs have no name; their description serves."""
        return self.localized("description")


class SdgProcedure(Bilingual):
    """One of the 21 procedures of the Single Digital Gateway regulation, Annex II, and the
    services that offer it online."""

    life_event_nl = models.CharField(max_length=80)
    life_event_en = models.CharField(max_length=80)
    name_nl = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    output_nl = models.CharField(max_length=300)
    output_en = models.CharField(max_length=300)
    oots_code = models.CharField(max_length=10, blank=True)
    services = models.ManyToManyField(PublicService, related_name="sdg_procedures")

    class Meta(Bilingual.Meta):
        verbose_name = _("SDG procedure")


# Evidence broker and directory (EU Once-Only Technical System concepts) --------------------

node_validator = RegexValidator(
    r"^[a-z][a-z0-9-]*$", _("A node id uses lower-case letters, digits and hyphens.")
)


def validate_country_code(value: str) -> None:
    """An ISO 3166-1 alpha-2 country code in capitals, such as NL or EE."""
    from django_countries import countries

    if not (isinstance(value, str) and len(value) == 2 and value.isupper() and value in countries):
        raise ValidationError(
            _("%(value)s is not an ISO 3166-1 alpha-2 country code (such as NL or EE)."),
            params={"value": value},
        )


class EvidenceMapping(models.Model):
    """The evidence broker: evidence of this type meets the requirement for a person from
    `country` (the member state whose registers know the person)."""

    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="evidence_mappings"
    )
    country = models.CharField(
        max_length=2, validators=[validate_country_code], help_text=_("ISO 3166-1 alpha-2")
    )
    evidence_type = models.ForeignKey(
        EvidenceType, on_delete=models.CASCADE, related_name="mappings"
    )

    class Meta:
        ordering = ["requirement__slug", "country", "evidence_type__slug"]
        verbose_name = _("evidence broker entry")
        verbose_name_plural = _("evidence broker entries")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "country", "evidence_type"], name="unique_evidence_mapping"
            )
        ]

    def __str__(self) -> str:
        return f"{self.requirement.slug} ({self.country}): {self.evidence_type.slug}"

    def clean(self) -> None:
        """The broker only names evidence the requirement itself accepts."""
        if self.requirement_id is None or self.evidence_type_id is None:
            return
        if not self.requirement.evidence_types.filter(pk=self.evidence_type_id).exists():
            raise ValidationError(
                {"evidence_type": _("This is not one of the requirement's evidence types.")}
            )


class EvidenceProvider(Localized, models.Model):
    """The evidence directory: who provides evidence of this type for people of `country`,
    reached through lifegate node `node` (this node, or a peer in the exchange trust list)."""

    evidence_type = models.ForeignKey(
        EvidenceType, on_delete=models.CASCADE, related_name="providers"
    )
    country = models.CharField(
        max_length=2, validators=[validate_country_code], help_text=_("ISO 3166-1 alpha-2")
    )
    node = models.CharField(
        max_length=40,
        validators=[node_validator],
        help_text=_('The id of the lifegate node that provides it, e.g. "nl" or "ee"'),
    )
    organisation_name_nl = models.CharField(max_length=200)
    organisation_name_en = models.CharField(max_length=200)

    class Meta:
        ordering = ["evidence_type__slug", "country"]
        verbose_name = _("evidence provider")
        constraints = [
            models.UniqueConstraint(
                fields=["evidence_type", "country"], name="unique_evidence_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evidence_type.slug} ({self.country}): {self.node}"

    @property
    def organisation_name(self) -> str:
        """The providing organisation's name in the active language."""
        return self.localized("organisation_name")

"""Kinds of verifiable credential this node issues as SD-JWT VC, and the rules for their claims."""

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models.base import Bilingual
from lifegate.catalogue.models.organisations import PublicOrganisation

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

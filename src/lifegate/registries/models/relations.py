"""Family relations between registered persons: parent and child, and partners."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from lifegate.registries.models.person import RegisteredPerson


class ParentChildRelation(models.Model):
    """A legal parent of a child, and whether that parent holds parental authority (gezag)."""

    parent = models.ForeignKey(
        RegisteredPerson,
        verbose_name=_("parent"),
        on_delete=models.CASCADE,
        related_name="child_relations",
    )
    child = models.ForeignKey(
        RegisteredPerson,
        verbose_name=_("child"),
        on_delete=models.CASCADE,
        related_name="parent_relations",
    )
    has_parental_authority = models.BooleanField(_("has parental authority"), default=False)

    class Meta:
        verbose_name = _("parent-child relation")
        verbose_name_plural = _("parent-child relations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "child"], name="registries_parent_child_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("child")), name="registries_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent} → {self.child}"


class Partnership(models.Model):
    """A marriage or registered partnership; `ended_on` is set by divorce or death."""

    class Kind(models.TextChoices):
        MARRIAGE = "marriage", _("marriage")
        REGISTERED_PARTNERSHIP = "registered", _("registered partnership")

    first_partner = models.ForeignKey(
        RegisteredPerson,
        verbose_name=_("first partner"),
        on_delete=models.CASCADE,
        related_name="partnerships_as_first",
    )
    second_partner = models.ForeignKey(
        RegisteredPerson,
        verbose_name=_("second partner"),
        on_delete=models.CASCADE,
        related_name="partnerships_as_second",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(first_partner=models.F("second_partner")),
                name="registries_not_own_partner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_partner} & {self.second_partner}"

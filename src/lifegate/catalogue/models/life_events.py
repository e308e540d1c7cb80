"""Life and business events, the place of each service in them, and the questions an event asks."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifegate.catalogue.models.base import AskedValue, Bilingual
from lifegate.core.i18n import Localized


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
        "catalogue.PublicService", on_delete=models.CASCADE, related_name="event_services"
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

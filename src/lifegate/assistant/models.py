"""What the assistant keeps: nothing, unless a person ticks the box to share their question to
improve the catalogue. Then only the anonymised text is kept (see `anonymise`), with no link
to the person, their session or the time of day."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SharedQuestion(models.Model):
    """A question a person chose to share, anonymised, for catalogue editors: what people
    look for, and what the catalogue did not answer."""

    text = models.CharField(_("anonymised question"), max_length=300)
    language = models.CharField(_("language of the page"), max_length=2)
    matched = models.BooleanField(_("the assistant found a match"))
    top_suggestion = models.CharField(
        _("first suggestion"),
        max_length=80,
        blank=True,
        help_text=_("Slug of a life event or service"),
    )
    # A date, not a moment: together with server logs a time could point to a person.
    shared_on = models.DateField(_("shared on"), auto_now_add=True)

    class Meta:
        ordering = ["-shared_on", "-id"]
        verbose_name = _("shared question")
        verbose_name_plural = _("shared questions")

    def __str__(self) -> str:
        return self.text

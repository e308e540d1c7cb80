"""The rules that keep the usage statistics from exposing anyone.

1. A figure is published only when it is based on at least `MINIMUM_PEOPLE` different people.
   Anything based on fewer, including nobody at all, is marked suppressed: a zero is never
   shown, so a suppressed cell does not tell "nobody" from "a few people".
2. Every catalogue life event, requested service and organisation appears for every published
   month, whether anything happened or not: the presence of a row reveals nothing.
3. No totals: nothing is published per month across life events, per life event across months,
   or per organisation across its services. Every figure of a measure covers people no other
   figure of that measure covers, so subtracting published figures from a total cannot
   recover a suppressed one, because there is no total to subtract from.
4. A share is published only when both sides are large enough: the share of messages read
   within 7 days needs at least `MINIMUM_PEOPLE` recipients who read in time *and* as many who
   did not (complementary suppression). Otherwise "100 %" would tell that every recipient,
   anyone who knows they received a message included, read it.
5. Only settled months are published (see `periods`), so figures do not change between
   downloads and comparing two downloads cannot single out a late arrival. (Messages removed
   at the end of their retention period do lower old message figures; that tells how many
   messages of a kind were sent a long time ago, nothing about a person.)
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from lifegate.opendata.figures import Counts, MessageCounts

MINIMUM_PEOPLE = 10

# The rules above, as told on the dashboard and in the downloads.
RULES = (
    _(
        "A figure is shown only when it is based on at least 10 different people. Otherwise it "
        "is marked as suppressed, also when it concerns nobody, so a suppressed figure does "
        "not tell whether anything happened."
    ),
    _(
        "Every life event, service and organisation is listed for every month, whether "
        "anything happened or not."
    ),
    _(
        "There are no totals per month, per life event or per organisation, so a suppressed "
        "figure cannot be worked out by subtracting the others from a total."
    ),
    _(
        "The share of messages read within 7 days is shown only when at least 10 people read "
        "their message in time and at least 10 did not."
    ),
    _(
        "A month is published once it has ended and another week has passed. After that its "
        "figures change only when messages reach the end of their retention period and are "
        "removed, so comparing downloads from different days does not single anyone out."
    ),
)


class Status(StrEnum):
    PUBLISHED = "published"
    SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class Figure:
    """One cell: a value when published, otherwise only why not."""

    status: Status
    value: int | float | None = None

    @property
    def published(self) -> bool:
        return self.status == Status.PUBLISHED


SUPPRESSED = Figure(Status.SUPPRESSED)


def enough_people(people: int) -> bool:
    """True when a figure about `people` different people may be published."""
    return people >= MINIMUM_PEOPLE


def count(counts: Counts | None) -> Figure:
    """A count (journeys, decisions, pieces of evidence), suppressed below the minimum number
    of people."""
    if counts is None or not enough_people(counts.people):
        return SUPPRESSED
    return Figure(Status.PUBLISHED, counts.rows)


def median_days(counts: Counts | None, median: float | None) -> Figure:
    """A median in days (one decimal), suppressed like the count of what it is the median of."""
    if median is None or count(counts) == SUPPRESSED:
        return SUPPRESSED
    return Figure(Status.PUBLISHED, round(median, 1))


def messages_sent(counts: MessageCounts | None) -> Figure:
    """Messages sent, suppressed below the minimum number of recipients."""
    if counts is None or not enough_people(counts.people):
        return SUPPRESSED
    return Figure(Status.PUBLISHED, counts.sent)


def share_read(counts: MessageCounts | None) -> Figure:
    """The percentage (one decimal) of messages read within 7 days; suppressed unless both
    the recipients who read in time and those who did not are numerous enough (rule 4)."""
    if counts is None or counts.sent == 0:
        return SUPPRESSED
    if not (enough_people(counts.readers) and enough_people(counts.non_readers)):
        return SUPPRESSED
    return Figure(Status.PUBLISHED, round(100 * counts.read / counts.sent, 1))

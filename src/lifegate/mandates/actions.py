"""The actions callers ask the decision point about, in one place. An action names what is
done to the subject's data, not the page or endpoint that does it."""

INBOX_READ = "inbox.read"
INBOX_MANAGE = "inbox.manage"
JOURNEYS_VIEW = "journeys.view"
JOURNEYS_SUBMIT = "journeys.submit"
# Giving, accepting and ending one's own mandates: never done for someone else.
MANDATES_MANAGE = "mandates.manage"
# Where and whether the person is told about new post: the channel that tells a principal what
# their representatives do, so no representative may redirect or silence it.
INBOX_SETTINGS = "inbox.settings"
# Seeing who used the subject's data (their processing log): it tells about all of a person's
# affairs at once, so only a mandate for the log itself covers it (or the law).
TRANSPARENCY_READ = "transparency.read"

INBOX_ACTIONS = frozenset({INBOX_READ, INBOX_MANAGE})
# Actions about a service: the caller names the service (or life event) concerned.
SERVICE_ACTIONS = frozenset({JOURNEYS_VIEW, JOURNEYS_SUBMIT})
SELF_ONLY_ACTIONS = frozenset({MANDATES_MANAGE, INBOX_SETTINGS})
PROCESSING_LOG_ACTIONS = frozenset({TRANSPARENCY_READ})
ACTIONS = INBOX_ACTIONS | SERVICE_ACTIONS | SELF_ONLY_ACTIONS | PROCESSING_LOG_ACTIONS
# What an agency may do, for its own services only.
AGENCY_ACTIONS = SERVICE_ACTIONS

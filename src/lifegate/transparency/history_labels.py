"""Words for the codes in processing records, in the active language: who acted, kinds of
data, status, and the direction of an operation in another node. Used by `history`.

Other people are never identified: the log holds only their keyed hash, and a page says "a
representative" or "another person", except when the person looking did it themselves."""

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifegate.transparency.models import ProcessingRecord

# The processing activities of the evidence exchange (`exchange.provider.PROVISION_ACTIVITY`,
# `exchange.received.EXCHANGE_ACTIVITY`; a test keeps them equal): a record of providing
# evidence was asked for by the node it links to, a record of receiving evidence was answered
# by it.
FOREIGN_DIRECTIONS = {
    "evidence-provision": "asked-by",
    "evidence-exchange": "answered-by",
}

# Kinds of data as the building blocks record them. Codes are compared with hyphens (some
# blocks write "date_of_birth", others "birth-date"); a code not listed here is shown as
# words made from the code itself.
CATEGORY_LABELS: dict[str, Promise] = {
    "address": gettext_lazy("Address"),
    "bank-account": gettext_lazy("Bank account number"),
    "birth-date": gettext_lazy("Date of birth"),
    "date-of-birth": gettext_lazy("Date of birth"),
    "birth-place": gettext_lazy("Place of birth"),
    "place-of-birth": gettext_lazy("Place of birth"),
    "country-of-birth": gettext_lazy("Country of birth"),
    "bsn": gettext_lazy("Citizen service number (BSN)"),
    "personal-identification-code": gettext_lazy("Personal identification code"),
    "eidas-identifier": gettext_lazy("European identity (eIDAS)"),
    "identifier": gettext_lazy("Identifying number"),
    "identifiers": gettext_lazy("Identifying numbers"),
    "name": gettext_lazy("Name"),
    "given-names": gettext_lazy("Given names"),
    "family-name": gettext_lazy("Family name"),
    "gender": gettext_lazy("Gender"),
    "nationality": gettext_lazy("Nationality"),
    "country": gettext_lazy("Country"),
    "residence": gettext_lazy("Place of residence"),
    "registered-since": gettext_lazy("Registered at this address since"),
    "family-relations": gettext_lazy("Family relations"),
    "death-date": gettext_lazy("Date of death"),
    "date-of-death": gettext_lazy("Date of death"),
    "level-of-assurance": gettext_lazy("Level of assurance of your login"),
    "e-mail-address": gettext_lazy("E-mail address"),
    "email": gettext_lazy("E-mail address"),
    "message": gettext_lazy("A message in your message box"),
    "message-overview": gettext_lazy("The list of your messages"),
    "message-attachment": gettext_lazy("An attachment of a message"),
    "message-content": gettext_lazy("Content of messages"),
    "read-status": gettext_lazy("Whether you read a message"),
    "mandate": gettext_lazy("Authorisations"),
    "journey": gettext_lazy("Your plans for life events"),
    "submission-status": gettext_lazy("Status of a request"),
    "evidence": gettext_lazy("Evidence"),
    "evidence-document": gettext_lazy("Documents you added as evidence"),
    "income": gettext_lazy("Income"),
    "processing-log": gettext_lazy("Who used your data (this log)"),
}

STATUS_LABELS: dict[str, Promise] = {
    ProcessingRecord.Status.OK: gettext_lazy("Completed"),
    ProcessingRecord.Status.ERROR: gettext_lazy("Failed"),
    ProcessingRecord.Status.UNSET: gettext_lazy("Status not known"),
}


def category_label(code: str) -> str:
    """The kind of data `code` in words."""
    label = CATEGORY_LABELS.get(code.replace("_", "-").lower())
    if label is not None:
        return str(label)
    words = code.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def status_label(code: str) -> str:
    """The record's status in words."""
    label = STATUS_LABELS.get(code)
    return str(label) if label is not None else code


def foreign_direction(activity: str) -> str:
    """Whether the linked node asked for the operation, answered it, or is otherwise related."""
    return FOREIGN_DIRECTIONS.get(activity, "related")


def foreign_label(direction: str, entity: str) -> str:
    """ "Asked by <node>", "Answered by <node>" or "Related to an operation at <node>"."""
    node = entity or _("another node")
    if direction == "asked-by":
        return _("Asked by %(node)s") % {"node": node}
    if direction == "answered-by":
        return _("Answered by %(node)s") % {"node": node}
    return _("Related to an operation at %(node)s") % {"node": node}


def acted_by(record: ProcessingRecord, own_hash: str, acting_for_name: str) -> tuple[str, str]:
    """Who acted, as a role code and words, seen by the person whose subject hash is
    `own_hash`, looking at their own records or (with `acting_for_name`) at those of the
    person they act for. Roles: self, representative, representative-of-other, person,
    agency, system."""
    if record.actor_kind == "agency":
        return "agency", _("The organisation")
    if record.actor_kind != "person":
        return "system", _("An automated system")
    subject = record.data_subject_hash
    if record.actor_hash == subject:
        return "self", acting_for_name or _("You")
    is_viewer = bool(own_hash) and record.actor_hash == own_hash
    if record.on_behalf_of_hash == subject:
        return "representative", _representative(is_viewer, acting_for_name)
    if record.on_behalf_of_hash:
        if is_viewer:
            return "representative-of-other", _("You, on behalf of someone else")
        return "representative-of-other", _("A representative, on behalf of someone else")
    return "person", _("You") if is_viewer else _("Another person")


def _representative(is_viewer: bool, acting_for_name: str) -> str:
    # Someone else's representative can only be the viewer while the viewer acts for them.
    if is_viewer and acting_for_name:
        return _("You, on behalf of %(name)s") % {"name": acting_for_name}
    if acting_for_name:
        return _("A representative, on behalf of %(name)s") % {"name": acting_for_name}
    return _("A representative, on your behalf")

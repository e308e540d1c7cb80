"""Documents a person uploads with a step as evidence for the service's requirements: the
"upload instead" alternative to fetching evidence from government (`exchange`).

Each requirement of the service is a `RequirementSlot` with one optional file field. Accepted
are PDF, PNG and JPEG files, recognised by their first bytes (never by the name or by what the
browser says), of at most `JOURNEYS_EVIDENCE_MAX_BYTES`, one per requirement. Files are written
to the private storage only once the whole step form is valid, inside the submission's
transaction (`files_removed_on_failure` deletes them again if that transaction fails). The
original file name can be personal and is sealed."""

import hashlib
import logging
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifegate.catalogue.models import PublicService
from lifegate.core.sealing import seal, unseal
from lifegate.core.storage import save_new_file
from lifegate.core.subject import Subject
from lifegate.journeys.models import Submission, SubmittedDocument, evidence_storage
from lifegate.transparency.services import Actor, record_processing

UPLOAD_FIELD_PREFIX = "document-"
TYPE_FIELD_PREFIX = "evidence-type-"
FILENAME_SEAL = "submitted-document-filename"
STORAGE_FOLDER = "journeys/evidence"
DATA_CATEGORY = "evidence-document"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileKind:
    """A kind of file people may upload, and the bytes every such file starts with."""

    content_type: str
    extension: str
    magic: bytes


ACCEPTED_KINDS = (
    FileKind("application/pdf", "pdf", b"%PDF-"),
    FileKind("image/png", "png", b"\x89PNG\r\n\x1a\n"),
    FileKind("image/jpeg", "jpg", b"\xff\xd8\xff"),
)
# For the browser's file picker only; the check itself looks at the bytes.
ACCEPT_ATTRIBUTE = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"


def kind_of(upload: UploadedFile) -> FileKind | None:
    """The accepted kind the file's first bytes show, or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return next((kind for kind in ACCEPTED_KINDS if head.startswith(kind.magic)), None)


# ---------------------------------------------------------------------------------------------
# Requirement slots: what the step page and the API offer


@dataclass(frozen=True)
class EvidenceOption:
    """An evidence type that meets a requirement, named in the active language."""

    slug: str
    name: str


@dataclass(frozen=True)
class RequirementSlot:
    """One requirement of the service, as a place to add a document to the request (and, for
    another building block, to fetch the evidence from government instead). Texts are in the
    language that was active when the slot was made."""

    slug: str
    name: str
    description: str
    evidence_types: tuple[EvidenceOption, ...]

    @property
    def field_name(self) -> str:
        """The upload's form field and multipart part: `document-<requirement slug>`."""
        return UPLOAD_FIELD_PREFIX + self.slug

    @property
    def type_field_name(self) -> str:
        """The field naming which evidence type the document is (only asked when several
        types meet the requirement): `evidence-type-<requirement slug>`."""
        return TYPE_FIELD_PREFIX + self.slug

    @property
    def element_id(self) -> str:
        """The stable HTML id of the requirement's block on the step page."""
        return f"evidence-{self.slug}"

    @property
    def evidence_type_names(self) -> list[str]:
        return [option.name for option in self.evidence_types]

    @property
    def evidence_type_slugs(self) -> list[str]:
        return [option.slug for option in self.evidence_types]

    @property
    def asks_evidence_type(self) -> bool:
        return len(self.evidence_types) > 1


def requirement_slots(service: PublicService) -> list[RequirementSlot]:
    """The service's requirements as upload slots (by slug), texts in the active language."""
    return [
        RequirementSlot(
            slug=requirement.slug,
            name=requirement.localized("name"),
            description=requirement.localized("description"),
            evidence_types=tuple(
                EvidenceOption(evidence.slug, evidence.localized("name"))
                for evidence in requirement.evidence_types.all()
            ),
        )
        for requirement in service.requirements.prefetch_related("evidence_types")
    ]


# ---------------------------------------------------------------------------------------------
# The upload form


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded file that passed the checks: its kind (from its bytes), size and digest."""

    upload: UploadedFile
    kind: FileKind
    size: int
    sha256: str


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """The upload, checked: a PDF, PNG or JPEG (by its first bytes) of at most the maximum
    size. Raises a ValidationError with a message in the active language otherwise."""
    limit = settings.JOURNEYS_EVIDENCE_MAX_BYTES
    size = upload.size or 0
    if size > limit:
        raise forms.ValidationError(
            _("This file is too large (%(size)s): a document may be at most %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(limit)},
            code="too-large",
        )
    kind = kind_of(upload)
    if kind is None:
        raise forms.ValidationError(
            _("This file is not a PDF, PNG or JPEG document. Please choose one of those."),
            code="file-type",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(upload, kind, size, digest.hexdigest())


class EvidenceFileField(forms.FileField):
    """An optional document for one requirement; cleans to a `CheckedUpload` (or None)."""

    widget = forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE})

    def clean(self, data: Any, initial: Any = None) -> CheckedUpload | None:
        upload = super().clean(data, initial)
        return check_upload(upload) if upload else None


@dataclass(frozen=True)
class EvidenceRow:
    """A requirement slot with its bound fields, for the template."""

    slot: RequirementSlot
    upload: forms.BoundField
    evidence_type: forms.BoundField | None


@dataclass(frozen=True)
class NewDocument:
    """A checked upload for one requirement, ready to store with the submission."""

    slot: RequirementSlot
    checked: CheckedUpload
    evidence_type_slug: str


class EvidenceForm(forms.Form):
    """One optional upload per requirement slot (and, where several evidence types meet a
    requirement, which one it is). More than one file for a requirement, or a file for a
    requirement the service does not have, is an error."""

    def __init__(
        self,
        slots: Sequence[RequirementSlot],
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(data=data, files=None if files is None else _as_multi(files))
        self.slots = list(slots)
        for slot in self.slots:
            self.fields[slot.field_name] = EvidenceFileField(label=slot.name, required=False)
            if slot.asks_evidence_type:
                options = [(option.slug, option.name) for option in slot.evidence_types]
                self.fields[slot.type_field_name] = forms.ChoiceField(
                    label=gettext_lazy("Which document is this?"),
                    choices=[("", "—"), *options],
                    required=False,
                )

    @property
    def max_bytes(self) -> int:
        return int(settings.JOURNEYS_EVIDENCE_MAX_BYTES)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.files:
            if name not in self.fields or name.startswith(TYPE_FIELD_PREFIX):
                self.add_error(None, _unknown_part(name))
            elif len(self.files.getlist(name)) > 1:
                self.add_error(name, _("Add one file per requirement."))
        return cleaned

    def rows(self) -> list[EvidenceRow]:
        """The slots with their bound fields, in slot order."""
        return [
            EvidenceRow(
                slot,
                self[slot.field_name],
                self[slot.type_field_name] if slot.asks_evidence_type else None,
            )
            for slot in self.slots
        ]

    def requirement_of(self, field_name: str) -> str:
        """The requirement slug a field of this form belongs to ("" for none)."""
        for prefix in (UPLOAD_FIELD_PREFIX, TYPE_FIELD_PREFIX):
            if field_name.startswith(prefix):
                return field_name.removeprefix(prefix)
        return ""

    def documents(self) -> list[NewDocument]:
        """The checked uploads, in slot order (call after `is_valid()`)."""
        documents = []
        for slot in self.slots:
            checked = self.cleaned_data.get(slot.field_name)
            if checked is None:
                continue
            if slot.asks_evidence_type:
                evidence_type = self.cleaned_data.get(slot.type_field_name, "")
            else:
                evidence_type = slot.evidence_types[0].slug if slot.evidence_types else ""
            documents.append(NewDocument(slot, checked, evidence_type))
        return documents


def _as_multi(files: Mapping[str, Any]) -> MultiValueDict[str, UploadedFile]:
    """The uploads as Django keeps them (`request.FILES`); a plain mapping (a caller's own
    `{name: file}`) is turned into one."""
    if isinstance(files, MultiValueDict):
        return files
    return MultiValueDict({name: [upload] for name, upload in files.items()})


def _unknown_part(name: str) -> forms.ValidationError:
    requirement = name.removeprefix(UPLOAD_FIELD_PREFIX)[:80]
    return forms.ValidationError(
        _("This service has no requirement %(requirement)s to add a document for."),
        code="unknown-requirement",
        params={"requirement": requirement, "part": name[:100]},
    )


# ---------------------------------------------------------------------------------------------
# Storing and serving


@contextmanager
def files_removed_on_failure() -> Iterator[list[str]]:
    """A list for the names of files stored in the block that follows; if the block fails,
    they are deleted again. Enter it *before* the transaction that stores the rows, so that a
    rollback (or a failed commit) also removes the files:

        with files_removed_on_failure() as written, transaction.atomic(): ...
    """
    written: list[str] = []
    try:
        yield written
    except BaseException:
        storage = evidence_storage()
        for name in written:
            try:
                storage.delete(name)
            except Exception:  # the original failure is the one to report
                logger.exception("Could not remove %s after a failed submission", name)
        raise


def store_documents(
    submission: Submission,
    documents: Sequence[NewDocument],
    *,
    subject: Subject,
    actor: Actor,
    activity: str,
    written: list[str],
) -> list[SubmittedDocument]:
    """Write the documents to the private storage (random names) and record them with the
    submission, each with a processing record under `activity`. Every stored file's name is
    added to `written` at once, so that a failure later in the transaction can remove it.
    Raises StorageFull when the storage has no room (the file it was writing is removed)."""
    storage = evidence_storage()
    stored = []
    for document in documents:
        document_id = uuid.uuid4()
        checked = document.checked
        path = f"{STORAGE_FOLDER}/{timezone.now():%Y/%m}/{document_id}.{checked.kind.extension}"
        checked.upload.seek(0)
        name = save_new_file(storage, path, checked.upload)
        written.append(name)
        stored.append(
            SubmittedDocument.objects.create(
                id=document_id,
                submission=submission,
                requirement_slug=document.slot.slug,
                evidence_type_slug=document.evidence_type_slug,
                file=name,
                content_type=checked.kind.content_type,
                size=checked.size,
                sha256=checked.sha256,
                filename_sealed=seal(FILENAME_SEAL, _safe_name(checked.upload.name)),
            )
        )
        record_processing(
            name=f"journeys.evidence.upload.{submission.service_slug}"[:120],
            subject=subject,
            activity=activity,
            actor=actor,
            data_categories=(DATA_CATEGORY, document.slot.slug),
        )
    return stored


def _safe_name(name: str | None) -> str:
    # Only the last path part, without control characters: it ends up in a download header.
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isprintable())[:200] or "document"


def original_filename(document: SubmittedDocument) -> str:
    """The name the person's file had."""
    return unseal(FILENAME_SEAL, document.filename_sealed)


def record_document_read(
    document: SubmittedDocument, *, subject: Subject, actor: Actor, activity: str, name: str
) -> None:
    """Record that `actor` opened the document, in the person's processing log."""
    record_processing(
        name=name[:120],
        subject=subject,
        activity=activity,
        actor=actor,
        data_categories=(DATA_CATEGORY, document.requirement_slug),
    )


def document_response(document: SubmittedDocument) -> FileResponse:
    """The document as a private download: never shown inline, never cached."""
    response = FileResponse(
        evidence_storage().open(str(document.file.name), "rb"),
        as_attachment=True,
        filename=original_filename(document),
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

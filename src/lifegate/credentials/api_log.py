"""Public, read-only API of the credentials transparency log: anyone may audit it, no login.

- GET checkpoint: the latest signed checkpoint (size, root, compact JWS).
- GET entries/{index}: an entry's kind and digest with its inclusion proof, against the tree
  of `size` entries or the latest checkpoint.
- GET consistency: the proof that the tree of `second` entries extends that of `first`.
- GET keys: the log's public keys (JWK Set) that verify checkpoints.

Hashes are standard base64; proofs are in RFC 9162 order (nearest the leaf first). A leaf's
hash is SHA-256(0x00 || kind byte || digest), the kind byte 0x01 for a credential and 0x02
for a status list. Errors are RFC 9457 problem details."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import P, PathEx, Query, Router, Schema
from pydantic import Field

from lifegate.core.problem_schema import problem_responses
from lifegate.core.problems import problem_response
from lifegate.credentials import log

router = Router(tags=["credentials transparency log"])


def _errors(*statuses: int) -> dict[str, Any]:
    """OpenAPI answers for these error statuses, and 503 (a damaged log gives no proofs)."""
    extra = problem_responses(*statuses)
    content = next(iter(extra["responses"].values()))["content"]
    extra["responses"][503] = {
        "description": "The log is damaged and gives no proofs until repaired (problem details).",
        "content": content,
    }
    return extra


Hash = str
_HASH = "SHA-256 hash, standard base64."


class Checkpoint(Schema):
    """A signed tree head."""

    origin: str = Field(description="The log's identity, as the checkpoint names it.")
    size: int = Field(ge=0, description="How many entries the tree has.")
    root: Hash = Field(description=f"The tree's root: {_HASH}")
    timestamp: datetime = Field(description="When the checkpoint was signed.")
    kid: str = Field(description="The key that signed it (see `keys`).")
    token: str = Field(
        description="Compact JWS (ES256, typ `lifegate-log-checkpoint+jwt`) with claims "
        "`origin`, `size`, `root` and `iat`: verify this, not the fields beside it."
    )


class EntryQuery(Schema):
    size: int | None = Field(
        None,
        ge=1,
        description="Prove against the tree of this many entries (default: the "
        "latest checkpoint's).",
    )


class Entry(Schema):
    """An entry and the proof that it is in the tree of `size` entries."""

    index: int = Field(ge=0)
    kind: Literal["credential", "status-list"]
    digest: Hash = Field(description="The salted digest of the credential or status list.")
    leaf_hash: Hash = Field(description="SHA-256(0x00 || kind byte || digest), base64.")
    created_at: datetime
    size: int = Field(ge=1, description="The tree the proof is for.")
    root: Hash = Field(description="That tree's root (check it against a checkpoint).")
    proof: list[Hash] = Field(description="Audit path, RFC 9162 section 2.1.3.")
    checkpoint: str | None = Field(description="The checkpoint of that size, if there is one.")


class ConsistencyQuery(Schema):
    first: int = Field(ge=0, description="Size of the older tree.")
    second: int | None = Field(
        None, ge=0, description="Size of the newer tree (default: the latest checkpoint's)."
    )


class Consistency(Schema):
    """The proof that the tree of `second` entries extends the tree of `first` entries."""

    first: int
    second: int
    proof: list[Hash] = Field(description="Consistency proof, RFC 9162 section 2.1.4.")


class PublicKey(Schema):
    kty: str = Field(examples=["EC"])
    crv: str = Field(examples=["P-256"])
    x: str
    y: str
    kid: str
    alg: str | None = Field(None, examples=["ES256"])
    use: str | None = Field(None, examples=["sig"])


class KeySet(Schema):
    """JWK Set (RFC 7517)."""

    keys: list[PublicKey]


@router.get(
    "checkpoint",
    response=Checkpoint,
    url_name="credentials_log_checkpoint",
    summary="The latest signed checkpoint",
    openapi_extra=problem_responses(404),
    operation_id="getLogCheckpoint",
)
def latest_checkpoint(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    """The newest signed tree head of the log; 404 before the first one."""
    checkpoint = log.latest_checkpoint()
    if checkpoint is None:
        return _problem(request, 404, _("No checkpoint yet."), "log-no-checkpoint")
    claims = log.checkpoint_claims(checkpoint.token)
    return {
        "origin": claims.get("origin", ""),
        "size": checkpoint.size,
        "root": log.b64(bytes(checkpoint.root)),
        "timestamp": checkpoint.created_at,
        "kid": checkpoint.kid,
        "token": checkpoint.token,
    }


@router.get(
    "entries/{index}",
    response=Entry,
    url_name="credentials_log_entry",
    summary="An entry and its inclusion proof",
    openapi_extra=_errors(400, 404),
    operation_id="getLogEntry",
)
def entry(
    request: HttpRequest,
    index: PathEx[int, P(ge=0, description="The entry's position in the log, from 0.")],
    params: Query[EntryQuery],
) -> dict[str, Any] | JsonResponse:
    """Entry `index` with its audit path in the tree of `size` entries (by default the
    latest checkpoint's). 404 for an entry that does not exist or no checkpoint covers yet;
    400 when `size` is larger than the log or not beyond `index`."""
    try:
        found = log.prove_entry(index, params.size)
    except log.EntryNotFound as error:
        return _problem(request, 404, str(error), "log-entry-not-found")
    except log.NotYetSealed as error:
        return _problem(request, 404, str(error), "log-entry-not-sealed")
    except log.ProofUnavailable as error:
        return _problem(request, 400, str(error), "log-proof-unavailable")
    except log.LogDamaged:
        return _damaged(request)
    return {
        "index": found.index,
        "kind": found.kind,
        "digest": log.b64(found.digest),
        "leaf_hash": log.b64(found.leaf_hash),
        "created_at": found.created_at,
        "size": found.size,
        "root": log.b64(found.root),
        "proof": [log.b64(each) for each in found.proof],
        "checkpoint": found.checkpoint,
    }


@router.get(
    "consistency",
    response=Consistency,
    url_name="credentials_log_consistency",
    summary="A consistency proof between two tree sizes",
    openapi_extra=_errors(400, 404),
    operation_id="getLogConsistencyProof",
)
def consistency(
    request: HttpRequest, params: Query[ConsistencyQuery]
) -> dict[str, Any] | JsonResponse:
    """The proof that the tree of `second` entries (by default the latest checkpoint's)
    extends the tree of `first` entries. 400 when first > second or second is larger than
    the log; 404 when `second` is left out and there is no checkpoint yet."""
    second = params.second
    if second is None:
        latest = log.latest_checkpoint()
        if latest is None:
            return _problem(request, 404, _("No checkpoint yet."), "log-no-checkpoint")
        second = latest.size
    try:
        proof = log.consistency_proof(params.first, second)
    except log.ProofUnavailable as error:
        return _problem(request, 400, str(error), "log-proof-unavailable")
    except log.LogDamaged:
        return _damaged(request)
    return {"first": params.first, "second": second, "proof": [log.b64(each) for each in proof]}


@router.get(
    "keys",
    response=KeySet,
    url_name="credentials_log_keys",
    summary="The keys that sign the log's checkpoints",
    operation_id="listLogKeys",
)
def keys(request: HttpRequest) -> Any:
    """The log's public signing keys (JWK Set); checkpoints name theirs by `kid`."""
    return log.public_keys()


def _problem(request: HttpRequest, status: int, detail: str, slug: str) -> JsonResponse:
    title = {400: _("Invalid request"), 404: _("Not found")}[status]
    return problem_response(request, status, title, detail, slug)


def _damaged(request: HttpRequest) -> JsonResponse:
    # The audit command says what is wrong; the client only needs to know it is not theirs.
    return problem_response(
        request, 503, _("Log unavailable"), _("The log cannot give proofs now."), "log-damaged"
    )

"""OpenID4VCI 1.0 with an authorization code: a wallet asks for one of the person's
credentials, the person logs in here and chooses, and the wallet picks up a copy bound to
its key. The profile is HAIP 1.0's: pushed authorization requests only, `scope` naming the
credential type, PKCE with S256, DPoP-bound tokens, and the `iss` response parameter.

1. The wallet (admitted in `credentials.wallets`) pushes its request (`push`, RFC 9126):
   client_id, redirect_uri (one of the wallet's, exactly), scope (one credential type's
   slug), code_challenge (S256), an optional state, and optionally a key to bind the code
   to (dpop_jkt, or a DPoP proof with the request). It gets a request_uri, good for
   REQUEST_TTL, that stands for the request.
2. It sends the person's browser to the authorization endpoint with client_id and
   request_uri. The person logs in, sees which wallet asks for which kind of proof, and
   picks one of their valid credentials of that type (`approve`) or refuses (`refuse`).
   Either way the browser goes back to the redirect_uri: with a code (good for CODE_TTL,
   once) or with error=access_denied, and with state and iss. A request that cannot be
   trusted (unknown, expired, decided, another client_id, a wallet no longer admitted) is
   never redirected: the page says so (`RequestUnusable`).
3. The wallet exchanges the code at the token endpoint (`exchange_code`) with its
   redirect_uri, client_id and PKCE code_verifier, and a DPoP proof, for an access token;
   from there on it is the same credential request as after a pre-authorised offer
   (`oid4vci.redeem`). A wrong verifier, redirect_uri or client_id uses the code up.

Approving is recorded in the person's processing log, as handing out an offer is."""

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lifegate.catalogue.models import CredentialType
from lifegate.core.subject import Subject
from lifegate.credentials import client_attestation, dpop, mine, oid4vci, wallets
from lifegate.credentials.metadata import PAR_PATH, PKCE_METHOD, token_endpoint
from lifegate.credentials.models import CredentialOffer, IssuedCredential, WalletAuthorization
from lifegate.credentials.oid4vci import OAuthError
from lifegate.transparency.services import subject_hash

REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
# The person may first have to log in: ten minutes from the wallet's request to a decision.
REQUEST_TTL = timedelta(minutes=10)
# The wallet exchanges the code as soon as the browser comes back (RFC 6749 4.1.2: short).
CODE_TTL = timedelta(minutes=2)
# An expired request is cleared this much later: an approval that began just before it
# expired has long committed its offer by then (a delete would otherwise meet it).
CLEAR_MARGIN = timedelta(minutes=1)
MAX_STATE_LENGTH = 512
# RFC 7636 4.1: 43 to 128 unreserved characters; the S256 challenge is 43 base64url ones.
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_THUMBPRINT = re.compile(r"[A-Za-z0-9_-]{43}")
NO_ATTESTATION = client_attestation.Presented(None, None)


class RequestUnusable(Exception):
    """The authorization request cannot be answered, and not by a redirect either: its
    request_uri is unknown or expired, another client_id sent it, its wallet is no longer
    admitted, or it was decided on already (`answered`)."""

    def __init__(self, *, answered: bool = False) -> None:
        super().__init__("answered" if answered else "unusable")
        self.answered = answered


@dataclass(frozen=True)
class Pushed:
    """A pushed request: the request_uri the wallet sends the browser with, and its life."""

    request_uri: str
    expires_in: int


def push(
    form: Mapping[str, str],
    dpop_proof: str | None = None,
    attestation: client_attestation.Presented = NO_ATTESTATION,
) -> Pushed:
    """Check and keep a wallet's pushed authorization request (RFC 9126 section 2.1). A DPoP
    proof with it (`dpop_proof`, RFC 9449 section 10.1) binds the code to that key, as a
    `dpop_jkt` parameter does; both must then name the same key. A wallet admitted with a
    provider authenticates with its `attestation`, whose instance the code is bound to."""
    client_id = form.get("client_id", "")
    wallet = wallets.admitted(client_id) if client_id else None
    if wallet is None:
        raise OAuthError("invalid_client", "the wallet is not admitted by this issuer")
    _refuse_unsupported(form)
    redirect_uri = form.get("redirect_uri", "")
    if redirect_uri not in wallet.redirect_uris:
        raise OAuthError("invalid_request", "redirect_uri is not one of the wallet's")
    kind = _credential_type(form.get("scope", ""))
    challenge, method = form.get("code_challenge", ""), form.get("code_challenge_method", "")
    if method != PKCE_METHOD or not _CHALLENGE.fullmatch(challenge):
        raise OAuthError("invalid_request", "PKCE with code_challenge_method S256 is needed")
    state = form.get("state", "")
    if len(state) > MAX_STATE_LENGTH:
        raise OAuthError("invalid_request", "state is too long")
    jkt = form.get("dpop_jkt", "")
    if jkt and not _THUMBPRINT.fullmatch(jkt):
        raise OAuthError("invalid_request", "dpop_jkt is not a JWK thumbprint")
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        instance = client_attestation.authenticate(wallet, attestation)
        if dpop_proof is not None:
            request = dpop.ProofRequest("POST", settings.BASE_URL + PAR_PATH)
            proven = oid4vci.dpop_key(dpop_proof, request, 400)
            if jkt and jkt != proven:
                raise OAuthError(dpop.ERROR, "dpop_jkt and the DPoP proof name other keys")
            jkt = proven
        _keep(
            secret,
            now,
            client_id=client_id,
            redirect_uri=redirect_uri,
            credential_type=kind,
            state=state,
            code_challenge=challenge,
            dpop_jkt=jkt,
            instance_jkt=instance,
        )
    return Pushed(REQUEST_URI_PREFIX + secret, int(REQUEST_TTL.total_seconds()))


def _refuse_unsupported(form: Mapping[str, str]) -> None:
    if "request_uri" in form:
        raise OAuthError("invalid_request", "request_uri cannot be pushed")
    if "request" in form:
        raise OAuthError("invalid_request", "signed request objects are not supported")
    if "authorization_details" in form:
        raise OAuthError("invalid_request", "ask for a credential type with scope")
    if form.get("response_type") != "code":
        raise OAuthError("unsupported_response_type", "response_type must be code")


def _keep(secret: str, now: datetime, **fields: str | CredentialType) -> None:
    # Expired requests that led to no offer (never answered, or refused) serve nobody now.
    stale = now - CLEAR_MARGIN
    WalletAuthorization.objects.filter(expires_at__lte=stale, offer__isnull=True).delete()
    WalletAuthorization.objects.create(
        request_hash=oid4vci.hashed(secret), expires_at=now + REQUEST_TTL, **fields
    )


def _credential_type(scope: str) -> CredentialType:
    """The one credential type `scope` names; other scope values are ignored (RFC 6749 3.3:
    a wallet may add, say, "openid")."""
    kinds = list(CredentialType.objects.filter(slug__in=scope.split()))
    if len(kinds) != 1:
        raise OAuthError("invalid_scope", "scope must name one credential type of this issuer")
    return kinds[0]


def pending(client_id: str, request_uri: str) -> WalletAuthorization:
    """The undecided, unexpired request that `request_uri` stands for, sent by `client_id`."""
    secret = request_uri.removeprefix(REQUEST_URI_PREFIX)
    if not client_id or not secret or secret == request_uri:
        raise RequestUnusable
    found = (
        WalletAuthorization.objects.select_related("credential_type__issuer")
        .filter(request_hash=oid4vci.hashed(secret))
        .first()
    )
    if found is None or found.client_id != client_id or _wallet_of(found) is None:
        raise RequestUnusable
    if found.decided_at is not None:
        raise RequestUnusable(answered=True)
    if found.expires_at <= timezone.now():
        raise RequestUnusable
    return found


def _wallet_of(authorization: WalletAuthorization) -> wallets.Wallet | None:
    """The request's wallet while it is admitted with the request's redirect_uri, or None."""
    wallet = wallets.admitted(authorization.client_id)
    if wallet is None or authorization.redirect_uri not in wallet.redirect_uris:
        return None
    return wallet


def wallet_name(authorization: WalletAuthorization) -> str:
    """The name the person sees for the (admitted) wallet that asks."""
    wallet = _wallet_of(authorization)
    if wallet is None:
        raise RequestUnusable
    return wallet.name


def vouched_by(authorization: WalletAuthorization) -> str | None:
    """The host of the wallet provider that vouched for the app installation that asks (its
    wallet attestation, `client_attestation`), or None: a public client, unchecked."""
    wallet = _wallet_of(authorization)
    if wallet is None or not wallet.provider or not authorization.instance_jkt:
        return None
    return urlsplit(wallet.provider).hostname or wallet.provider


def choices(person: Subject, authorization: WalletAuthorization) -> list[IssuedCredential]:
    """The person's valid credentials of the asked type, newest first (the list is recorded
    as the "My credentials" list is)."""
    kind = authorization.credential_type
    return [
        found
        for found in mine.credentials(person)
        if found.credential_type_id == kind.pk and found.state == IssuedCredential.State.VALID
    ]


def approve(
    person: Subject, authorization: WalletAuthorization, credential: IssuedCredential
) -> str:
    """Answer the request with a code for a copy of `credential` (one of `choices`); where
    the browser goes next. Raises RequestUnusable when it was decided on meanwhile, and
    mine.NotOfferable when the credential is not the person's valid one of the asked type."""
    code = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = _lock_undecided(authorization)
        # Read again under a lock: a revocation since the page was shown counts.
        fresh = (
            IssuedCredential.objects.select_for_update()
            .select_related("credential_type")
            .get(pk=credential.pk)
        )
        if (
            fresh.subject_hash != subject_hash(person)
            or fresh.copy_of_id is not None
            or fresh.credential_type_id != locked.credential_type_id
            or fresh.state != IssuedCredential.State.VALID
        ):
            raise mine.NotOfferable
        mine.record_offer(person, fresh, wallet=locked.client_id)
        CredentialOffer.objects.create(
            credential=fresh,
            code_hash=oid4vci.hashed(code),
            code_expires_at=timezone.now() + CODE_TTL,
            authorization=locked,
        )
        _decide(locked, approved=True)
    return _answer(locked, {"code": code})


def refuse(authorization: WalletAuthorization) -> str:
    """Answer the request with access_denied; where the browser goes next."""
    with transaction.atomic():
        locked = _lock_undecided(authorization)
        _decide(locked, approved=False)
    return _answer(locked, {"error": "access_denied"})


def _lock_undecided(authorization: WalletAuthorization) -> WalletAuthorization:
    locked = WalletAuthorization.objects.select_for_update().get(pk=authorization.pk)
    if locked.decided_at is not None:
        raise RequestUnusable(answered=True)
    if locked.expires_at <= timezone.now():
        raise RequestUnusable
    return locked


def _decide(authorization: WalletAuthorization, *, approved: bool) -> None:
    authorization.decided_at = timezone.now()
    authorization.approved = approved
    authorization.save(update_fields=["decided_at", "approved"])


def _answer(authorization: WalletAuthorization, parameters: dict[str, str]) -> str:
    """The redirect_uri with the answer, the state and this issuer (RFC 9207) in its query."""
    if authorization.state:
        parameters["state"] = authorization.state
    parameters["iss"] = settings.BASE_URL
    parts = urlsplit(authorization.redirect_uri)
    query = f"{parts.query}&{urlencode(parameters)}" if parts.query else urlencode(parameters)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def exchange_code(
    form: Mapping[str, str],
    dpop_proof: str | None = None,
    attestation: client_attestation.Presented = NO_ATTESTATION,
) -> oid4vci.AccessToken:
    """The access token for an authorization code (RFC 6749 4.1.3 with RFC 7636 4.5): the
    code's redirect_uri and client_id, and the verifier of its PKCE challenge; a wallet
    admitted with a provider authenticates with its `attestation`, as the instance that
    pushed the request. The token is bound to the DPoP proof's key (and that must be the
    dpop_jkt of the request, if given); DPoP is needed whenever the operator requires it. A
    refused DPoP proof or attestation leaves the code unused; a wrong verifier,
    redirect_uri, client_id or wallet instance uses it up."""
    code = form.get("code", "")
    if not code:
        raise OAuthError("invalid_request", "code is missing")
    verifier = form.get("code_verifier", "")
    if not _VERIFIER.fullmatch(verifier):
        raise OAuthError("invalid_request", "code_verifier is missing or malformed")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    _withdraw_token_of_used(code, now)  # before the exchange's transaction, which may fail
    with transaction.atomic():
        thumbprint = ""
        if dpop_proof is not None or dpop.required():
            request = dpop.ProofRequest("POST", token_endpoint())
            thumbprint = oid4vci.dpop_key(dpop_proof, request, 400)
        offer = oid4vci.unused_offer(code, now, authorization_code=True)
        authorization = offer.authorization
        assert authorization is not None
        wallet = _wallet_of(authorization)
        if wallet is None:
            raise OAuthError("invalid_client", "the wallet is no longer admitted")
        instance = client_attestation.authenticate(wallet, attestation)
        refused = _mismatch(authorization, form, verifier, instance)
        jkt = authorization.dpop_jkt
        if refused is None and jkt and not hmac.compare_digest(jkt, thumbprint):
            raise OAuthError(dpop.ERROR, "the DPoP proof is not made with dpop_jkt's key")
        if refused is None:
            oid4vci.grant_token(offer, token, thumbprint, now)
        else:
            offer.code_used_at = now  # a code shown to the wrong party is of no use any more
            offer.save(update_fields=["code_used_at"])
    if refused is not None:  # raised after the commit: the code stays used up
        raise refused
    token_type = "DPoP" if thumbprint else "Bearer"
    return oid4vci.AccessToken(token, token_type, int(oid4vci.TOKEN_TTL.total_seconds()))


def _withdraw_token_of_used(code: str, now: datetime) -> None:
    """A used authorization code presented again: someone else may have it, so the token it
    gave is withdrawn too (RFC 6749 4.1.2). Kept even when the request is then refused."""
    CredentialOffer.objects.filter(
        code_hash=oid4vci.hashed(code),
        authorization__isnull=False,
        code_used_at__isnull=False,
        token_used_at__isnull=True,
        token_expires_at__gt=now,
    ).update(token_expires_at=now)


def _mismatch(
    authorization: WalletAuthorization, form: Mapping[str, str], verifier: str, instance: str
) -> OAuthError | None:
    if form.get("client_id", "") != authorization.client_id:  # no secret: plain comparison
        return OAuthError("invalid_grant", "the code was given to another client_id")
    if authorization.instance_jkt and instance != authorization.instance_jkt:
        return OAuthError("invalid_grant", "the code was given to another wallet instance")
    if form.get("redirect_uri", "") != authorization.redirect_uri:
        return OAuthError("invalid_grant", "redirect_uri is not the one the code was sent to")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    if not hmac.compare_digest(computed, authorization.code_challenge):
        return OAuthError("invalid_grant", "code_verifier does not fit the code_challenge")
    return None

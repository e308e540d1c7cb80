"""What the presenting and verifying tests share: issuing a diploma, the portal wallet's
presentation of some of its claims, its answer encrypted to the request's key as a wallet
does it (direct_post.jwt), logging a test client in, and a "network" of lifegate nodes that
are all this node under other base URLs (no real network)."""

import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.test import Client, override_settings

from lifegate.core.sealing import seal
from lifegate.core.subject import Subject
from lifegate.credentials import keys, peer_http, response_encryption, sdjwt, verifying
from lifegate.credentials.issuing import holder_key, issue, stored_sd_jwt
from lifegate.credentials.models import IssuedCredential, PresentationRequest
from lifegate.credentials.tests.conftest import DIPLOMA_CLAIMS, RESIDENCE_CLAIMS
from lifegate.identity.session import SESSION_KEY, Authentication, session_value
from lifegate.mandates import acting
from lifegate.transparency.services import Actor, subject_hash

TITLE_AND_LEVEL = ["title", "level_eqf"]
DUO = Actor(kind="agency", organisation="duo")
MUNICIPALITY = Actor(kind="agency", organisation="gemeente-utrecht")


def diploma(
    subject: Subject, reference: str = "dossier-1", holder_jwk: dict[str, Any] | None = None
) -> IssuedCredential:
    """A diploma issued by this node to `subject`, through the issuing service (straight to
    the wallet holding `holder_jwk`, when given)."""
    return issue(
        "diploma",
        subject,
        DIPLOMA_CLAIMS,
        actor=DUO,
        source=IssuedCredential.Source.AGENCY_API,
        source_reference=reference,
        holder_jwk=holder_jwk,
    )


def residence(subject: Subject) -> IssuedCredential:
    """A proof of residence issued by this node to `subject`."""
    return issue(
        "residence",
        subject,
        RESIDENCE_CLAIMS,
        actor=MUNICIPALITY,
        source=IssuedCredential.Source.AGENCY_API,
        source_reference="residence-1",
    )


def presentation(
    credential: IssuedCredential,
    request: PresentationRequest,
    names: list[str],
    *,
    audience: str | None = None,
    nonce: str | None = None,
) -> str:
    """The portal wallet's SD-JWT+KB of `names`, for `request` unless told otherwise."""
    key = holder_key(credential)
    assert key is not None
    selected = sdjwt.select(stored_sd_jwt(credential), names)
    return sdjwt.bind(
        selected,
        holder_key=key,
        audience=audience or request.client_id,
        nonce=nonce or request.nonce,
        issued_at=int(time.time()),
    )


def ask(claims: list[str] = TITLE_AND_LEVEL, kind: str = "diploma") -> PresentationRequest:
    """A verifier's request for `claims` of a credential of type `kind`."""
    return verifying.create_request(claims, verifier_name="Acme Employer", credential_type=kind)


def vp_token(request: PresentationRequest, token: str) -> dict[str, list[str]]:
    """The DCQL-keyed vp_token holding one presentation."""
    query_id = request.dcql_query["credentials"][0]["id"]
    return {query_id: [token]}


def response_key(request: PresentationRequest) -> Any:
    """The public key a wallet encrypts its answer to: the one the request object carries
    in client_metadata.jwks (read from the row, so it is there after the request closed)."""
    from joserfc.jwk import ECKey

    return ECKey.import_key(response_encryption.public_jwk(request.response_key_sealed))


def encrypted(
    request: PresentationRequest, answer: dict[str, Any], enc: str = "A128GCM"
) -> dict[str, str]:
    """The direct_post.jwt form a wallet sends: `answer` as a JWE to the request's key."""
    return {"response": response_encryption.encrypt(answer, response_key(request), enc)}


def form(request: PresentationRequest, token: str) -> dict[str, str]:
    """The direct_post.jwt form a wallet sends with one presentation."""
    return encrypted(request, {"vp_token": vp_token(request, token), "state": request.state})


def plaintext_form(request: PresentationRequest, token: str) -> dict[str, str]:
    """The plain direct_post form, which a direct_post.jwt request refuses."""
    return {"vp_token": json.dumps(vp_token(request, token)), "state": request.state}


def foreign_diploma(issuer: str, *, exp: int | None = None, **claims: Any) -> tuple[str, Any]:
    """A diploma SD-JWT that no IssuedCredential row knows, signed with this node's issuer
    key but naming `issuer`; returns it with its holder's private key."""
    from joserfc.jwk import ECKey

    holder = ECKey.generate_key("P-256", {"alg": "ES256"}, private=True, auto_kid=True)
    payload: dict[str, Any] = {
        "iss": issuer,
        "vct": f"{issuer}/credentials/types/diploma",
        "iat": int(time.time()) - 10,
        **DIPLOMA_CLAIMS,
        **claims,
    }
    if exp is not None:
        payload["exp"] = exp
    token = sdjwt.issue(
        payload,
        disclosable=list(DIPLOMA_CLAIMS),
        key=keys.current_issuer_key(),
        holder_jwk=holder.as_dict(private=False),
    )
    return token, holder


def bind_for(token: str, holder: Any, request: PresentationRequest, names: list[str]) -> str:
    """`token` with only `names` disclosed, bound to `request`."""
    return sdjwt.bind(
        sdjwt.select(token, names),
        holder_key=holder,
        audience=request.client_id,
        nonce=request.nonce,
        issued_at=int(time.time()),
    )


def log_in(client: Client, subject: Subject, loa: str = "substantial") -> None:
    """A logged-in portal session for `subject`."""
    session = client.session
    session[SESSION_KEY] = session_value(
        Authentication(subject=subject, loa=loa, authenticated_at=datetime.now(UTC), issuer="test")  # type: ignore[arg-type]
    )
    session.save()


def act_for(client: Client, person: Subject, other: Subject) -> None:
    """`person`'s session acts for `other` from now on (as after choosing them)."""
    session = client.session
    chosen = {"representative": subject_hash(person), "subject": other.as_dict(), "name": "X"}
    session[acting.SESSION_KEY] = seal(acting.SEAL_PURPOSE, json.dumps(chosen))
    session.save()


class Nodes:
    """Other lifegate nodes: this node under their base URL, reached through Django's test
    client (as `peer_http.fetch` and `post_form`). Counts the requests each URL got."""

    def __init__(self, *origins: str) -> None:
        self.origins = set(origins)
        self.calls: list[str] = []
        self.posted: list[dict[str, str]] = []
        self.down: set[str] = set()

    def install(self, monkeypatch: Any) -> "Nodes":
        monkeypatch.setattr(peer_http, "fetch", self.fetch)
        monkeypatch.setattr(peer_http, "fetch_bytes", self.fetch_bytes)
        monkeypatch.setattr(peer_http, "post_form", self.post_form)
        return self

    def _node(self, url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        self.calls.append(url)
        if origin not in self.origins or origin in self.down:
            raise peer_http.PeerUnreachable("no such node")
        return origin, parts.path + (f"?{parts.query}" if parts.query else "")

    def fetch(self, url: str, accept: str) -> str:
        return self.fetch_bytes(url, accept).decode()

    def fetch_bytes(self, url: str, accept: str) -> bytes:
        origin, path = self._node(url)
        with override_settings(BASE_URL=origin):
            response = Client().get(path, HTTP_ACCEPT=accept)
        if response.status_code != 200:
            raise peer_http.PeerUnreachable(f"status {response.status_code}")
        return response.content

    def post_form(self, url: str, data: dict[str, str]) -> tuple[int, dict[str, Any]]:
        origin, path = self._node(url)
        self.posted.append(dict(data))
        with override_settings(BASE_URL=origin):
            response = Client().post(
                path, urlencode(data), content_type="application/x-www-form-urlencoded"
            )
        return response.status_code, response.json()

"""Every route of the project, as `test_completeness` names them, and the ones that touch no
personal data, each with the reason.

A page is named by its Django route (`/inbox/<uuid:message_id>/`), an API operation by its
method and OpenAPI path (`GET /api/inbox/messages/{message_id}`)."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from lifegate.api import api

OPENAPI_FILE = Path(settings.BASE_DIR) / "docs" / "openapi.json"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
# Whole subtrees, by prefix.
NO_PERSONAL_DATA_PREFIXES = {
    "/admin/": "operator's Django admin; its register views record their own reads "
    "(registries/admin.py), staff accounts are not data subjects",
    "/dev-idp/": "development identity provider standing in for DigiD/eIDAS, off in production",
    "/opendata/": "aggregated, anonymous statistics and the public catalogue as open data",
}
NO_PERSONAL_DATA = {
    "/language/<str:code>/": "switches the interface language",
    "/catalogue/life-events/": "public catalogue",
    "/catalogue/life-events/<slug:slug>/": "public catalogue",
    "/catalogue/services/<slug:slug>/": "public catalogue",
    "/catalogue/services/<slug:slug>/start/": "public service description behind a login",
    "/catalogue/search/": "public catalogue",
    "/catalogue/cpsv-ap.ttl": "public catalogue export",
    "/catalogue/cpsv-ap.jsonld": "public catalogue export",
    "GET /journeys/start/<slug:slug>/": "the life event's questions, before any plan",
    "GET /mandates/new/": "the empty grant form",
    "GET /mandates/accept/": "the empty invitation-code form",
    "/credentials/status/<int:list_id>": "status list: a bitstring, no identities",
    "/credentials/issuer-ca.pem": "the issuing CA certificate: names this node, no person",
    "/credentials/issuer-ca.crl": "the CA's revocation list: serial numbers, no person",
    "/credentials/verifier-ca.pem": "the verifier CA certificate: names this node, no person",
    "/credentials/types/<slug:slug>": "a credential type's public Type Metadata",
    "GET /credentials/verify/": "the verifier's own request form",
    "/credentials/oid4vp/requests/<str:handle>": "the verifier's signed request object",
    "/credentials/oid4vci/nonce": "a fresh nonce for proof of possession",
    "/credentials/oid4vci/par": "a wallet's pushed request: a credential type, no person yet",
    "/.well-known/jwt-vc-issuer": "issuer metadata",
    "/.well-known/openid-credential-issuer": "issuer metadata",
    "/.well-known/oauth-authorization-server": "issuer metadata",
    "/identity/login/": "the login page, before anyone is logged in",
    "/identity/logout/": "ends the session",
    "/assistant/": "questions about the public catalogue, no login",
    "/assistant/share/": "keeps an anonymised question only",
    "/back-office/login/": "agency staff login",
    "/back-office/logout/": "agency staff logout",
    "/healthz": "health check",
    "/api/": "API root",
    "/api/openapi.json": "OpenAPI document",
    "/api/docs": "API documentation",
    "GET /api/catalogue/life-events": "public catalogue",
    "GET /api/catalogue/life-events/{slug}": "public catalogue",
    "GET /api/catalogue/services": "public catalogue",
    "GET /api/catalogue/services/{slug}": "public catalogue",
    "GET /api/catalogue/organisations": "public catalogue",
    "GET /api/catalogue/organisations/{slug}": "public catalogue",
    "GET /api/catalogue/evidence-broker": "public catalogue",
    "GET /api/catalogue/evidence-directory": "public catalogue",
    "GET /api/assistant/": "questions about the public catalogue, no login",
    "POST /api/assistant/": "questions about the public catalogue, no login",
    "GET /api/exchange/node": "node metadata and keys",
    "POST /api/exchange/ping": "signed node-to-node ping, no person",
    "GET /api/credentials/log/checkpoint": "Merkle log of issued credentials: hashes only",
    "GET /api/credentials/log/entries/{index}": "Merkle log of issued credentials: hashes only",
    "GET /api/credentials/log/consistency": "Merkle log of issued credentials: hashes only",
    "GET /api/credentials/log/keys": "Merkle log signing keys",
    "POST /api/credentials/verifier/requests": "a verifier asks for claims; no person yet",
    "GET /api/agency/deliveries": "delivery states of submissions: ids and timestamps",
}
# Personal-data routes whose calls need another node, a wallet or an identity provider on a
# live server: the test named beside each asserts the records they leave.
WALKED_ELSEWHERE = {
    # Records one status read per message listed: how many depends on the demo's post.
    "/back-office/messages/": "inbox/tests/test_backoffice.py",
    "/identity/callback/": "identity/tests/test_login_flow.py",
    "/credentials/oid4vci/token": "credentials/tests/test_oid4vci.py",
    "/credentials/oid4vci/credential": "credentials/tests/test_oid4vci.py",
    # Needs a wallet's pushed request first; the test asserts the list and offer records.
    "/credentials/oid4vci/authorize": "credentials/tests/test_oid4vci_authorization.py",
    "/credentials/oid4vp/responses/<str:handle>": "credentials/tests/test_verifying.py",
    "/credentials/verify/<uuid:request_id>/": "credentials/tests/test_verifying.py",
    "/credentials/present/": "credentials/tests/test_wallet_present.py",
    "GET /api/credentials/verifier/requests/{request_id}": "credentials/tests/test_verifying.py",
    "POST /api/exchange/requests": "exchange/tests/test_local_flow.py",
    "POST /api/exchange/responses": "exchange/tests/test_local_flow.py",
    "/exchange/journeys/<uuid:journey_id>/steps/<slug:slug>/<slug:requirement>/ask/": (
        "exchange/tests/test_local_flow.py"
    ),
    "/exchange/received/<uuid:evidence_id>/": "exchange/tests/test_local_flow.py",
    "/exchange/received/<uuid:evidence_id>/remove/": "exchange/tests/test_local_flow.py",
    "/exchange/preview/<uuid:preview_id>/": "exchange/tests/test_local_flow.py",
    "/exchange/preview/<uuid:preview_id>/decide/": "exchange/tests/test_local_flow.py",
    "GET /api/journeys/{journey_id}/steps/{slug}/evidence": "exchange/tests/test_api_person.py",
    "POST /api/journeys/{journey_id}/steps/{slug}/evidence/{requirement}": (
        "exchange/tests/test_api_person.py"
    ),
    "GET /api/journeys/{journey_id}/evidence/{evidence_id}": "exchange/tests/test_api_person.py",
    "DELETE /api/journeys/{journey_id}/evidence/{evidence_id}": (
        "exchange/tests/test_api_person.py"
    ),
    "GET /api/mandates/acting-for": "mandates/tests/test_api_acting.py",
    "PUT /api/mandates/acting-for": "mandates/tests/test_api_acting.py",
}


def page_routes() -> Iterator[str]:
    """Every route of the URL configuration, API included (ninja's patterns too)."""

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            else:
                yield route

    yield from walk(get_resolver().url_patterns, "/")


def as_openapi_path(route: str) -> str:
    """`/api/journeys/<journey_id>` as OpenAPI writes it: `/api/journeys/{journey_id}`."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def api_operations() -> set[str]:
    """`METHOD path` of every operation, of the API as built and of the committed document."""
    documents = [api.get_openapi_schema(), json.loads(OPENAPI_FILE.read_text())]
    return {
        f"{method.upper()} {path}"
        for document in documents
        for path, operations in document["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }


def classified(name: str, walked: set[str]) -> bool:
    """Whether route or operation `name` (a page route, or `METHOD /api/...`) is walked, walked
    elsewhere or has no personal data. A page route counts when any method of it is named."""
    known = walked | set(NO_PERSONAL_DATA) | set(WALKED_ELSEWHERE)
    routes = known | {key.partition(" ")[2] for key in known if " " in key}
    if name in routes or as_openapi_path(name) in routes:
        return True
    return any(name.startswith(prefix) for prefix in NO_PERSONAL_DATA_PREFIXES)

"""Public, anonymous endpoints of the credentials issuer: its well-known metadata, the Type
Metadata at each credential type's `vct`, its status lists and its issuing CA certificate.
Verifiers and wallets anywhere fetch them, so they may be cached and read from any origin;
they hold no personal data."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from lifegate.catalogue.models import CredentialType
from lifegate.core.problems import problem_response
from lifegate.credentials import certificates, issuer_certificates, metadata, verifier_identity
from lifegate.credentials.models import StatusList
from lifegate.credentials.status_lists import TOKEN_TTL_SECONDS, status_list_token
from lifegate.credentials.statuslist import STATUS_LIST_TYPE

STATUS_LIST_CONTENT_TYPE = f"application/{STATUS_LIST_TYPE}"
# Metadata changes when the catalogue or the issuer keys do: a short cache is enough.
METADATA_MAX_AGE = 300


def _public(response: HttpResponse, max_age: int) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=max_age)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def jwt_vc_issuer(request: HttpRequest) -> HttpResponse:
    """SD-JWT VC issuer metadata: the issuer identifier and its public keys (JWK Set)."""
    return _public(JsonResponse(metadata.jwt_vc_issuer_metadata()), METADATA_MAX_AGE)


@require_safe
def openid_credential_issuer(request: HttpRequest) -> HttpResponse:
    """OpenID4VCI 1.0 credential issuer metadata, one configuration per credential type."""
    return _public(JsonResponse(metadata.credential_issuer_metadata()), METADATA_MAX_AGE)


@require_safe
def type_metadata(request: HttpRequest, slug: str) -> HttpResponse:
    """SD-JWT VC Type Metadata of the credential type whose `vct` is this address; a JSON
    problem (404) for a type this node does not issue."""
    kind = CredentialType.objects.filter(slug=slug).first()
    if kind is None:
        return problem_response(
            request, 404, _("Unknown credential type"), _("This node issues no such type."),
            "unknown-credential-type",
        )  # fmt: skip
    return _public(JsonResponse(metadata.type_metadata(kind)), METADATA_MAX_AGE)


@require_safe
def status_list(request: HttpRequest, list_id: int) -> HttpResponse:
    """The status list token (typ statuslist+jwt) of list `list_id`, cacheable for its ttl."""
    found = StatusList.objects.defer("packed").filter(pk=list_id).first()
    if found is None:
        raise Http404("No such status list.")
    token = status_list_token(found)
    response = HttpResponse(token, content_type=STATUS_LIST_CONTENT_TYPE)
    return _public(response, TOKEN_TTL_SECONDS)


@require_safe
def issuer_ca(request: HttpRequest) -> HttpResponse:
    """The issuing CA certificate (PEM) that the `x5c` certificates of this node's credentials
    and status list tokens chain to: what another node adds to its issuer trust anchors."""
    response = HttpResponse(
        issuer_certificates.ca_pem(), content_type=issuer_certificates.PEM_MEDIA_TYPE
    )
    return _public(response, METADATA_MAX_AGE)


@require_safe
def issuer_ca_crl(request: HttpRequest) -> HttpResponse:
    """The issuing CA's revocation list (DER, RFC 5280), named in each certificate it issues:
    the certificates of issuer keys this node withdrew."""
    response = HttpResponse(
        issuer_certificates.revocation_list(), content_type=certificates.CRL_MEDIA_TYPE
    )
    return _public(response, METADATA_MAX_AGE)


@require_safe
def verifier_ca(request: HttpRequest) -> HttpResponse:
    """The verifier CA certificate (PEM) that the certificate in this node's OpenID4VP request
    objects chains to: what a wallet that trusts verifiers through X.509 adds to its anchors."""
    response = HttpResponse(
        verifier_identity.CA.pem(), content_type=issuer_certificates.PEM_MEDIA_TYPE
    )
    return _public(response, METADATA_MAX_AGE)

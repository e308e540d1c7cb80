"""The credentials building block's addresses under /credentials/: the issuer's public ones
(status lists, type metadata, CA certificate, OpenID4VCI), the verifier's and the wallet's
pages, and the person's own credentials."""

from django.urls import path

from lifegate.credentials import (
    views,
    views_authorize,
    views_my,
    views_oid4vci,
    views_verifier,
    views_wallet,
)

app_name = "credentials"

urlpatterns = [
    path("status/<int:list_id>", views.status_list, name="status_list"),
    # The issuing CA certificate, for other nodes' trust anchors (HAIP x5c chains).
    path("issuer-ca.pem", views.issuer_ca, name="issuer_ca"),
    # Its revocation list: the certificates of withdrawn issuer keys (issuer_certificates).
    path("issuer-ca.crl", views.issuer_ca_crl, name="issuer_ca_crl"),
    # The verifier CA certificate, for wallets' trust anchors (HAIP x509_hash requests).
    path("verifier-ca.pem", views.verifier_ca, name="verifier_ca"),
    # SD-JWT VC Type Metadata: each credential type's `vct` is this address.
    path("types/<slug:slug>", views.type_metadata, name="type_metadata"),
    # Presenting and verifying (OpenID4VP): the verifier's pages, the wallet endpoints, and
    # the portal wallet's answer page.
    path("verify/", views_verifier.verify_start, name="verify"),
    path("verify/<uuid:request_id>/", views_verifier.verify_result, name="verify_result"),
    path("oid4vp/requests/<str:handle>", views_verifier.oid4vp_request, name="oid4vp_request"),
    path("oid4vp/responses/<str:handle>", views_verifier.oid4vp_response, name="oid4vp_response"),
    path("present/", views_wallet.present, name="present"),
    # The person's own credentials, and putting one in another wallet (OpenID4VCI).
    path("", views_my.my_credentials, name="mine"),
    path("<uuid:credential_id>/", views_my.my_credential, name="mine_detail"),
    path("<uuid:credential_id>/offer", views_my.offer, name="mine_offer"),
    path("oid4vci/token", views_oid4vci.token, name="oid4vci_token"),
    # The authorization code flow: a wallet pushes its request, the person decides.
    path("oid4vci/par", views_oid4vci.par, name="oid4vci_par"),
    path("oid4vci/authorize", views_authorize.authorize, name="oid4vci_authorize"),
    path("oid4vci/nonce", views_oid4vci.nonce, name="oid4vci_nonce"),
    path("oid4vci/credential", views_oid4vci.credential, name="oid4vci_credential"),
]

"""lifegate settings. Every value comes from the environment with a safe default for the
embedded setup (SQLite, development identity provider off unless enabled). docs/operations.md
lists every variable."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP  # type: ignore[import-untyped,unused-ignore]
from django.utils.translation import gettext_lazy as _

from lifegate.core.env import (
    MIN_SECRET_LENGTH,
    env_bool,
    env_int,
    env_int_map,
    env_json,
    env_list,
    env_secret,
    env_str,
    local_secret,
)

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(env_str("LIFEGATE_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# "development" for the demo and tests, "production" for real deployments.
LIFEGATE_ENV = env_str("LIFEGATE_ENV", "development")
if LIFEGATE_ENV not in ("development", "production"):
    raise ImproperlyConfigured("LIFEGATE_ENV must be 'development' or 'production'")
PRODUCTION = LIFEGATE_ENV == "production"

# Secrets: set in production (the guard at the end refuses to start otherwise); in development a
# random secret is made once per installation and kept in VAR_DIR, never a constant in the code.
SECRET_KEY = env_secret("LIFEGATE_SECRET_KEY", "") or (
    "" if PRODUCTION else local_secret(VAR_DIR / "secret-key")
)
DEBUG = env_bool("LIFEGATE_DEBUG", False)
PORT = env_int("PORT", 8000)
BASE_URL = env_str("LIFEGATE_BASE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
# This node of a federation of lifegate nodes (evidence exchange): a short id, its name in
# peers' trust lists, and its member state (ISO 3166-1 alpha-2).
NODE_ID = env_str("LIFEGATE_NODE_ID", "nl")
NODE_COUNTRY = env_str("LIFEGATE_NODE_COUNTRY", "NL")
ALLOWED_HOSTS = env_list(
    "LIFEGATE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("LIFEGATE_CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "lifegate.portal.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "django_countries",
    "localflavor",
    "ninja",
    "lifegate.core",
    "lifegate.catalogue",
    "lifegate.registries",
    "lifegate.identity",
    "lifegate.transparency",
    "lifegate.journeys",
    "lifegate.inbox",
    "lifegate.mandates",
    "lifegate.exchange",
    "lifegate.credentials",
    "lifegate.opendata",
    "lifegate.assistant",
    "lifegate.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lifegate.core.middleware.ApiProblemMiddleware",
    "lifegate.core.middleware.ApiHeadMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, aware of views that save the session in their own commit (identity.one_commit).
    "lifegate.identity.one_commit.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "lifegate.core.middleware.NulCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lifegate.identity.middleware.SubjectSessionMiddleware",
    "lifegate.core.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lifegate.mandates.middleware.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lifegate.urls"
WSGI_APPLICATION = "lifegate.wsgi.application"
ASGI_APPLICATION = "lifegate.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "lifegate" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lifegate.portal.context_processors.portal",
            ],
        },
    },
]

# Database: SQLite (WAL) by default, PostgreSQL in production, chosen by DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'lifegate.sqlite3'}")
# Health checks: a persistent connection the database dropped (a restart, a fail-over) is
# replaced at the start of the next request instead of failing it.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work: Django's task API with a durable database backend.
TASKS = {
    "default": {"BACKEND": env_str("LIFEGATE_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}
}

# Sessions: short and sliding, as for DigiD (15 minutes idle).
SESSION_COOKIE_AGE = env_int("LIFEGATE_SESSION_SECONDS", 15 * 60)
SESSION_SAVE_EVERY_REQUEST = True
# However active, a login lasts at most this long from its start (identity.session); then the
# person logs in again.
LIFEGATE_SESSION_MAX_SECONDS = env_int("LIFEGATE_SESSION_MAX_SECONDS", 8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
# Browsers keep cookies per host, not per port: two nodes on one host (make demo-federation)
# would overwrite each other's session, so every node but the default one prefixes its cookies.
# In production (HTTPS) the names also start with `__Host-` (ASVS 3.3.1): browsers then accept
# them only when Secure, for Path=/ and without Domain, so no subdomain can set or overwrite
# them. Development over plain HTTP cannot use the prefix (browsers would drop the cookies).
_COOKIE_PREFIX = ("__Host-" if PRODUCTION else "") + ("" if NODE_ID == "nl" else f"{NODE_ID}_")
SESSION_COOKIE_NAME = f"{_COOKIE_PREFIX}sessionid"
CSRF_COOKIE_NAME = f"{_COOKIE_PREFIX}csrftoken"
LANGUAGE_COOKIE_NAME = f"{_COOKIE_PREFIX}django_language"
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
# What `__Host-` demands; Django's defaults, fixed here so that no later change breaks them.
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = LANGUAGE_COOKIE_PATH = "/"
SESSION_COOKIE_DOMAIN = CSRF_COOKIE_DOMAIN = LANGUAGE_COOKIE_DOMAIN = None
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "style-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # Neither falls back to default-src usefully: no plugins at all, and no <base> that could
    # point relative script and form URLs elsewhere (ASVS 3.4.3).
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
}
if PRODUCTION:
    SECURE_HSTS_SECONDS = env_int("LIFEGATE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("LIFEGATE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Languages: Dutch first, English for everyone else. Source strings are English.
# The language of a first visit; the Estonian demo node of `make demo-federation` uses "en".
LANGUAGE_CODE = env_str("LIFEGATE_LANGUAGE", "nl")
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "src" / "lifegate" / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it even when serving from finders
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("nlds/utrecht-css", NODE_MODULES / "@utrecht" / "component-library-css" / "dist"),
    ("nlds/utrecht-tokens", NODE_MODULES / "@utrecht" / "design-tokens" / "dist"),
]
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = VAR_DIR / "media"

# File storage. Message attachments live in their own storage without a public URL: only the
# authorised download view serves them. Production points it at S3-compatible object storage:
# LIFEGATE_ATTACHMENT_STORAGE=storages.backends.s3.S3Storage (django-storages, installed with
# the `s3` extra) and the LIFEGATE_S3_* variables.
ATTACHMENT_STORAGE_BACKEND = env_str(
    "LIFEGATE_ATTACHMENT_STORAGE", "django.core.files.storage.FileSystemStorage"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": {
        "BACKEND": ATTACHMENT_STORAGE_BACKEND,
        "OPTIONS": {"location": str(VAR_DIR / "attachments"), "base_url": "/no-public-url/"}
        if ATTACHMENT_STORAGE_BACKEND.endswith("FileSystemStorage")
        else {
            "bucket_name": env_str("LIFEGATE_S3_BUCKET", "lifegate-attachments"),
            "endpoint_url": env_str("LIFEGATE_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("LIFEGATE_S3_REGION", "") or None,
            "access_key": env_secret("LIFEGATE_S3_ACCESS_KEY", "") or None,
            "secret_key": env_secret("LIFEGATE_S3_SECRET_KEY", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    },
}

# E-mail: written to files under var/mail in the embedded setup (one .eml file per e-mail,
# named after its Message-ID, so sending an e-mail again replaces it), an SMTP relay in production.
FILE_EMAIL_BACKENDS = (
    "lifegate.inbox.mail.MessageFileBackend",
    "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_BACKEND_PATH = env_str("LIFEGATE_EMAIL_BACKEND", FILE_EMAIL_BACKENDS[0])
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": {"file_path": str(VAR_DIR / "mail")}
        if EMAIL_BACKEND_PATH in FILE_EMAIL_BACKENDS
        else {
            "host": env_str("LIFEGATE_SMTP_HOST", "localhost"),
            "port": env_int("LIFEGATE_SMTP_PORT", 587),
            "username": env_str("LIFEGATE_SMTP_USER", ""),
            "password": env_secret("LIFEGATE_SMTP_PASSWORD", ""),
            "use_tls": env_bool("LIFEGATE_SMTP_TLS", True),
            # Seconds per connection attempt and per reply: a relay that stalls must not hold
            # a worker (and its claimed messages) for ever.
            "timeout": env_int("LIFEGATE_SMTP_TIMEOUT", 30),
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("LIFEGATE_FROM_EMAIL", "lifegate <noreply@lifegate.invalid>")

# Keys (signing keys for the identity provider, credentials, node messages, log checkpoints)
# live on disk, never in the database.
LIFEGATE_KEY_DIR = Path(env_str("LIFEGATE_KEY_DIR", str(VAR_DIR / "keys")))
# Key for keyed hashes and encryption of personal identifiers (processing log, sessions). Kept
# apart from SECRET_KEY so that rotating the latter does not make the log unreadable.
LIFEGATE_SUBJECT_KEY = env_secret("LIFEGATE_SUBJECT_KEY", "") or (
    "" if PRODUCTION else local_secret(VAR_DIR / "subject-key")
)

# Login: lifegate is an OpenID Connect relying party of any provider.
DEV_IDP_ENABLED = env_bool("LIFEGATE_DEV_IDP", False)
OIDC_DISCOVERY_URL = env_str(
    "LIFEGATE_OIDC_DISCOVERY_URL",
    f"{BASE_URL}/dev-idp/.well-known/openid-configuration" if DEV_IDP_ENABLED else "",
)
OIDC_CLIENT_ID = env_str("LIFEGATE_OIDC_CLIENT_ID", "lifegate-portal")
# Other origins the login page's form may lead to, besides the provider's authorization endpoint
# (e.g. a broker that hands over to an eIDAS node without showing a page in between).
OIDC_EXTRA_FORM_ORIGINS = env_list("LIFEGATE_OIDC_EXTRA_FORM_ORIGINS", [])
DEV_OIDC_CLIENT_SECRET = "lifegate-development-client-secret"
OIDC_CLIENT_SECRET = env_secret("LIFEGATE_OIDC_CLIENT_SECRET", DEV_OIDC_CLIENT_SECRET)
OIDC_SCOPES = env_str("LIFEGATE_OIDC_SCOPES", "openid profile")
OIDC_HTTP_TIMEOUT = env_int("LIFEGATE_OIDC_HTTP_TIMEOUT", 10)

# Catalogue
CATALOGUE_DATA_FILE = Path(
    env_str(
        "LIFEGATE_CATALOGUE_FILE",
        str(BASE_DIR / "src" / "lifegate" / "catalogue" / "data" / "catalogue.yaml"),
    )
)
API_MAX_PAGE_SIZE = env_int("LIFEGATE_API_MAX_PAGE_SIZE", 100)
CATALOGUE_CACHE_SECONDS = env_int("LIFEGATE_CATALOGUE_CACHE_SECONDS", 60)

# Cache: per-process memory by default; any Django cache backend (e.g. Redis) by configuration.
CACHES = {
    "default": {
        "BACKEND": env_str(
            "LIFEGATE_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": env_str("LIFEGATE_CACHE_LOCATION", "lifegate"),
        "OPTIONS": {"MAX_ENTRIES": env_int("LIFEGATE_CACHE_MAX_ENTRIES", 5000)},
    }
}

# Rate limits, counted in the cache above: with several processes configure a shared cache
# (otherwise each process counts on its own). Over a limit the answer is 429 with Retry-After.
# Starting a login and the provider's callback count together per calling address (people
# behind one NAT address share it): requests per window.
LOGIN_RATE_LIMIT = env_int("LIFEGATE_LOGIN_RATE_LIMIT", 60)
LOGIN_RATE_WINDOW_SECONDS = env_int("LIFEGATE_LOGIN_RATE_WINDOW_SECONDS", 300)
# Staff password logins (back office, admin): posted attempts per username and per calling
# address in a window of this many seconds (identity.password_logins).
STAFF_LOGIN_ATTEMPTS = env_int("LIFEGATE_STAFF_LOGIN_ATTEMPTS", 10)
STAFF_LOGIN_ADDRESS_ATTEMPTS = env_int("LIFEGATE_STAFF_LOGIN_ADDRESS_ATTEMPTS", 50)
STAFF_LOGIN_WINDOW_SECONDS = env_int("LIFEGATE_STAFF_LOGIN_WINDOW_SECONDS", 900)
# API calls per window: per agency client (all of /api/agency/), per events client
# (/api/events/), and per calling address for evidence exchange messages (/api/exchange/).
API_RATE_WINDOW_SECONDS = env_int("LIFEGATE_API_RATE_WINDOW_SECONDS", 60)
AGENCY_API_RATE_LIMIT = env_int("LIFEGATE_AGENCY_RATE_LIMIT", 1200)
EVENTS_API_RATE_LIMIT = env_int("LIFEGATE_EVENTS_RATE_LIMIT", 1200)
EXCHANGE_API_RATE_LIMIT = env_int("LIFEGATE_EXCHANGE_RATE_LIMIT", 300)

# Base registries: adapter classes (dotted paths) so a real register can replace the embedded one.
POPULATION_REGISTER_ADAPTER = env_str(
    "LIFEGATE_POPULATION_REGISTER", "lifegate.registries.embedded.EmbeddedPopulationRegister"
)
# Evidence exchange between lifegate nodes (EU Once-Only Technical System concepts).
# The trust list: a JSON file naming every peer node, its base URL and its public keys (JWKS).
# A node not in it is refused. Without the file this node exchanges evidence with nobody else.
EXCHANGE_PEERS_FILE = Path(
    env_str("LIFEGATE_EXCHANGE_PEERS_FILE", str(VAR_DIR / "exchange-peers.json"))
)
# How long a signed node message is valid, and how far apart two nodes' clocks may be.
EXCHANGE_MESSAGE_TTL_SECONDS = env_int("LIFEGATE_EXCHANGE_MESSAGE_TTL_SECONDS", 300)
EXCHANGE_CLOCK_SKEW_SECONDS = env_int("LIFEGATE_EXCHANGE_CLOCK_SKEW_SECONDS", 60)
# Calls to a peer: seconds to connect and to wait for the answer, attempts, first backoff.
EXCHANGE_CONNECT_TIMEOUT_SECONDS = env_int("LIFEGATE_EXCHANGE_CONNECT_TIMEOUT_SECONDS", 3)
EXCHANGE_READ_TIMEOUT_SECONDS = env_int("LIFEGATE_EXCHANGE_READ_TIMEOUT_SECONDS", 10)
EXCHANGE_ATTEMPTS = env_int("LIFEGATE_EXCHANGE_ATTEMPTS", 3)
EXCHANGE_BACKOFF_MILLISECONDS = env_int("LIFEGATE_EXCHANGE_BACKOFF_MILLISECONDS", 200)
# Minutes a person has to look at the preview and share the evidence; then the request expires.
EXCHANGE_CONSENT_MINUTES = env_int("LIFEGATE_EXCHANGE_CONSENT_MINUTES", 15)

# Verifiable credentials: the other nodes whose credential issuers this node's verifier trusts
# (base URLs; their keys come from <url>/.well-known/jwt-vc-issuer), the verifiers whose requests
# the portal wallet answers (by default the same nodes; this node is always trusted), and how
# long a verifier's result is kept after its request's window closed.
LIFEGATE_TRUSTED_ISSUERS = env_list("LIFEGATE_TRUSTED_ISSUERS", [])
LIFEGATE_TRUSTED_VERIFIERS = env_list("LIFEGATE_TRUSTED_VERIFIERS", [])  # empty: the issuers' nodes
# A PEM file of CA certificates: issuers whose x5c chain leads to one are trusted (HAIP 1.0).
LIFEGATE_ISSUER_TRUST_ANCHORS = env_str("LIFEGATE_ISSUER_TRUST_ANCHORS", "")
LIFEGATE_PRESENTATION_RETENTION_MINUTES = env_int("LIFEGATE_PRESENTATION_RETENTION_MINUTES", 60)
# OpenID4VCI: refuse access tokens that are not bound to the wallet's key with DPoP (RFC 9449).
# On by default, as HAIP 1.0 asks (sender-constrained tokens only); an operator who must serve
# wallets without DPoP can turn it off, and such a wallet then gets a Bearer token.
OID4VCI_REQUIRE_DPOP = env_bool("LIFEGATE_OID4VCI_REQUIRE_DPOP", True)
# OpenID4VCI: digits of the transaction code (tx_code) a person types into the wallet to pick
# up a credential offer, read from the portal page beside the QR code; 0: offers without one.
OID4VCI_TX_CODE_LENGTH = env_int("LIFEGATE_OID4VCI_TX_CODE_LENGTH", 6)
# OpenID4VCI authorization code flow (a wallet asks for a credential; the person logs in here
# and chooses): the wallets the operator admits, as a JSON list of objects with "client_id",
# "name" (shown to the person) and "redirect_uris" (exact). A wallet not listed is refused. A
# wallet listed with a "provider" (its wallet provider's URI) must authenticate with a wallet
# attestation (HAIP 1.0 4.4.1) whose x5c chain leads to a CA in the PEM file
# LIFEGATE_WALLET_PROVIDER_ANCHORS and names that provider.
OID4VCI_WALLETS = env_json("LIFEGATE_OID4VCI_WALLETS", [])
LIFEGATE_WALLET_PROVIDER_ANCHORS = env_str("LIFEGATE_WALLET_PROVIDER_ANCHORS", "")
# OpenID4VCI: issue copies only to keys a wallet provider (a CA in
# LIFEGATE_WALLET_PROVIDER_ANCHORS) attests in the key proof's key_attestation (HAIP 1.0 4.5.1).
OID4VCI_REQUIRE_KEY_ATTESTATION = env_bool("LIFEGATE_OID4VCI_REQUIRE_KEY_ATTESTATION", False)

# The processing log's hash chains: how many (records are spread by id; fixed once the first
# chain exists), and how long a sealer waits for a record of an earlier, still open transaction.
TRANSPARENCY_CHAIN_PARTITIONS = env_int("LIFEGATE_TRANSPARENCY_CHAIN_PARTITIONS", 4)
TRANSPARENCY_CHAIN_GRACE_SECONDS = env_int("LIFEGATE_TRANSPARENCY_CHAIN_GRACE_SECONDS", 900)

# Demo population
DEMO_POPULATION_SIZE = env_int("LIFEGATE_DEMO_POPULATION", 1200)
DEMO_POPULATION_SEED = env_int("LIFEGATE_DEMO_SEED", 20261122)

# Journeys: delivery of submissions to agency webhooks (CloudEvents, NL GOV profile).
# The `source` of every event lifegate sends: the platform operator's OIN (Logius in the demo).
JOURNEYS_CLOUDEVENTS_SOURCE = env_str(
    "LIFEGATE_CLOUDEVENTS_SOURCE", "urn:nld:oin:00000001800000016000:systeem:lifegate"
)
# Attempts per delivery before it becomes a dead letter (retried only by hand).
JOURNEYS_DELIVERY_MAX_ATTEMPTS = env_int("LIFEGATE_DELIVERY_MAX_ATTEMPTS", 8)
# Wait before the first retry; each later retry waits twice as long (plus up to 50% jitter),
# never longer than the maximum.
JOURNEYS_DELIVERY_BASE_DELAY_SECONDS = env_int("LIFEGATE_DELIVERY_BASE_DELAY_SECONDS", 60)
JOURNEYS_DELIVERY_MAX_DELAY_SECONDS = env_int("LIFEGATE_DELIVERY_MAX_DELAY_SECONDS", 6 * 3600)
# How long lifegate waits for an agency's webhook to answer.
JOURNEYS_DELIVERY_TIMEOUT_SECONDS = env_int("LIFEGATE_DELIVERY_TIMEOUT_SECONDS", 10)
# Journeys: registry events. Failed processing runs before an event is marked failed (then
# only an operator's "process again" in the admin retries it).
JOURNEYS_EVENT_MAX_ATTEMPTS = env_int("LIFEGATE_EVENT_MAX_ATTEMPTS", 5)
# Journeys: documents a person uploads as evidence for a service's requirements (PDF, PNG or
# JPEG, one per requirement) are at most this large. They are kept in the private
# `attachments` storage above (LIFEGATE_ATTACHMENT_STORAGE), under journeys/evidence/.
JOURNEYS_EVIDENCE_MAX_BYTES = env_int("LIFEGATE_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)

# Message box. Bulk sends take at most this many messages per request (the streamed NDJSON
# upload has no limit); attachments are PDFs up to this size.
INBOX_BULK_MAX_MESSAGES = env_int("LIFEGATE_INBOX_BULK_MAX", 10_000)
# The largest request body the messages API reads itself (a bulk send, a single message with
# its attachments, or one line of a streamed upload). Django's DATA_UPLOAD_MAX_MEMORY_SIZE
# stays small for every other endpoint.
INBOX_BULK_MAX_BYTES = env_int("LIFEGATE_INBOX_BULK_MAX_BYTES", 256 * 1024 * 1024)
INBOX_ATTACHMENT_MAX_BYTES = env_int("LIFEGATE_INBOX_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
INBOX_BODY_MAX_CHARS = env_int("LIFEGATE_INBOX_BODY_MAX_CHARS", 20_000)
# Days before an unread message that needs action gets a reminder, and days after the reminder
# before its sender is told it is still unread (to choose another channel, such as paper).
INBOX_REMIND_AFTER_DAYS = env_int("LIFEGATE_INBOX_REMIND_AFTER_DAYS", 7)
INBOX_REPORT_UNREAD_AFTER_DAYS = env_int("LIFEGATE_INBOX_REPORT_UNREAD_AFTER_DAYS", 7)
# Retention in days per message category (`category=days,...`; categories not named keep their
# default), and how many days before removal the person is warned about an important message.
INBOX_RETENTION_DAYS = env_int_map(
    "LIFEGATE_INBOX_RETENTION_DAYS",
    {
        "decision": 7 * 365,
        "payment": 7 * 365,
        "information-request": 2 * 365,
        "announcement": 365,
        "journey-update": 2 * 365,
    },
)
INBOX_EXPIRY_WARNING_DAYS = env_int("LIFEGATE_INBOX_EXPIRY_WARNING_DAYS", 30)
# Messages are notified in tasks of at most this many messages.
INBOX_NOTIFY_BATCH = env_int("LIFEGATE_INBOX_NOTIFY_BATCH", 500)
# How long the link that confirms a notification address works.
INBOX_CONFIRM_EMAIL_HOURS = env_int("LIFEGATE_INBOX_CONFIRM_EMAIL_HOURS", 48)
# How long a worker holds a message while it e-mails about it; if the worker dies, another one
# takes the message over after this and sends the e-mail again (with the same Message-ID).
INBOX_MAIL_LEASE_SECONDS = env_int("LIFEGATE_INBOX_MAIL_LEASE_SECONDS", 300)
# Messages not notified this many minutes after they were sent are enqueued again by
# `inbox_housekeeping` (their task was lost).
INBOX_NOTIFY_SWEEP_MINUTES = env_int("LIFEGATE_INBOX_NOTIFY_SWEEP_MINUTES", 10)
# Message box tasks still "running" after this many minutes died with their worker (the task
# table never notices): `inbox_housekeeping` marks them failed and enqueues them again.
INBOX_TASK_LOST_MINUTES = env_int("LIFEGATE_INBOX_TASK_LOST_MINUTES", 60)

# Mandates: the longest period a voluntary mandate may run, and how long an invitation code
# can be accepted after it was issued.
MANDATES_MAX_DAYS = env_int("LIFEGATE_MANDATE_MAX_DAYS", 5 * 365)
MANDATES_INVITATION_DAYS = env_int("LIFEGATE_MANDATE_INVITATION_DAYS", 14)
# An invitation code must not be guessable by trying: at most this many attempts to accept one
# per person per window (the page and the API count together).
MANDATES_ACCEPT_ATTEMPTS = env_int("LIFEGATE_MANDATE_ACCEPT_ATTEMPTS", 5)
MANDATES_ACCEPT_WINDOW_SECONDS = env_int("LIFEGATE_MANDATE_ACCEPT_WINDOW_SECONDS", 15 * 60)
# The organisation (catalogue slug) that tells principals about their mandates.
MANDATES_NOTICE_SENDER = env_str("LIFEGATE_MANDATE_NOTICE_SENDER", "logius")
# After login, whoever may act for others chooses whom to act for.
LIFEGATE_AFTER_LOGIN = "lifegate.mandates.views_acting.after_login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "redacting": {
            "()": "lifegate.core.logging.RedactingFormatter",
            "format": "{asctime} {levelname} {name}: {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "redacting"},
    },
    "root": {"handlers": ["console"], "level": env_str("LIFEGATE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {
            "handlers": ["console"],
            "level": env_str("LIFEGATE_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The rule evaluator logs every evaluation's variables (a person's facts, BSN and all)
        # at DEBUG: never wanted, whatever LIFEGATE_LOG_LEVEL says.
        "celpy": {"level": "WARNING"},
    },
}


def _refuse_unsafe_production() -> None:
    problems = []
    if DEV_IDP_ENABLED:
        problems.append("the development identity provider (LIFEGATE_DEV_IDP) must be off")
    if len(SECRET_KEY) < MIN_SECRET_LENGTH:
        problems.append(
            f"LIFEGATE_SECRET_KEY must be set (at least {MIN_SECRET_LENGTH} characters)"
        )
    if len(LIFEGATE_SUBJECT_KEY) < MIN_SECRET_LENGTH or LIFEGATE_SUBJECT_KEY == SECRET_KEY:
        problems.append(
            f"LIFEGATE_SUBJECT_KEY must be set (at least {MIN_SECRET_LENGTH} characters) "
            "and differ from LIFEGATE_SECRET_KEY"
        )
    if OIDC_CLIENT_SECRET == DEV_OIDC_CLIENT_SECRET:
        problems.append("LIFEGATE_OIDC_CLIENT_SECRET must be set")
    if not OIDC_DISCOVERY_URL:
        problems.append("LIFEGATE_OIDC_DISCOVERY_URL must be set")
    if DEBUG:
        problems.append("LIFEGATE_DEBUG must be off")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))


if PRODUCTION:
    _refuse_unsafe_production()

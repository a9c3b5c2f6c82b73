"""Django settings, from the environment variables declared in `amtsweg.environment` (typed, read once here).

Embedded default: SQLite (WAL) under ./var, secrets generated on first start and kept in ./var
(never in the repository). Production: set DATABASE_URL (PostgreSQL), SECRET_KEY, AMTSWEG_DRAFT_KEY,
PLATFORM_SIGNING_KEY_FILE, ALLOWED_HOSTS, DEBUG=0 and SECURE_COOKIES=1; a missing secret stops the start
(system checks in amtsweg.core.checks) instead of being generated anew on each host. Apps read these
settings through `django.conf.settings`, never the environment.
"""

import os
import secrets
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from amtsweg import environment

try:  # lower case: not a setting itself, so DEBUG's error page never lists the secrets in it
    env = environment.read()
except environment.ConfigurationError as exc:
    raise ImproperlyConfigured(str(exc)) from None

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = env.AMTSWEG_VAR_DIR or PROJECT_DIR / "var"
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret(name: str) -> str:
    """A secret generated once per installation (embedded mode only) and kept outside the repository.

    Under a lock, so processes starting together agree on one secret; written owner-only and atomically.
    """
    from amtsweg.core import files

    path = VAR_DIR / name
    if not path.exists():
        with files.exclusive(VAR_DIR / f".{name}.lock"):
            if not path.exists():
                files.write_private(path, secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env.DEBUG
# Embedded mode (the demo on SQLite, DEBUG, the tests and the processes they start: pytest sets
# PYTEST_VERSION): secrets that are not configured are generated into var/ on first use. Otherwise a
# missing SECRET_KEY, draft key or platform signing key is a startup error (amtsweg.core.checks), because
# a secret generated per host breaks sessions, drafts and signatures as soon as there are two hosts, and
# silently replaces the real one when a volume is lost.


def embedded_default(env: environment.Environment, modules: Iterable[str]) -> bool:
    """Embedded unless told otherwise: with DEBUG, on SQLite (the default database) and under pytest
    (also in the processes the tests start, which inherit PYTEST_VERSION)."""
    sqlite = (env.DATABASE_URL or "sqlite:").startswith("sqlite:")
    return env.DEBUG or sqlite or bool(env.PYTEST_VERSION) or "pytest" in modules


AMTSWEG_EMBEDDED = env.AMTSWEG_EMBEDDED if env.AMTSWEG_EMBEDDED is not None else embedded_default(env, sys.modules)
SECRET_KEY = env.SECRET_KEY or (_local_secret("secret_key") if AMTSWEG_EMBEDDED else "")
# AES-256 key for drafts and uploads at rest (base64url, 32 bytes); embedded: generated into var/draft_key.
AMTSWEG_DRAFT_KEY = env.AMTSWEG_DRAFT_KEY
# Key-encryption key of the back office's vault (base64url, 32 bytes): wraps the per-authority data keys of
# case content (amtsweg.casework.vault); embedded: generated into var/casework_kek. Required otherwise (E006).
AMTSWEG_CASEWORK_KEK = env.AMTSWEG_CASEWORK_KEK
# PEM file of the platform's RSA signing key (routes, event log); embedded: var/platform_signing_key.pem.
PLATFORM_SIGNING_KEY_FILE = env.PLATFORM_SIGNING_KEY_FILE
# x5c of published keys (amtsweg.core.pki): the platform key's certificate chain, and the administration PKI's
# roots that destination keys' chains must lead to (embedded default: the demo PKI generated into var/pki/).
PLATFORM_SIGNING_CHAIN_FILE = env.PLATFORM_SIGNING_CHAIN_FILE
AMTSWEG_PKI_TRUST_ANCHORS_FILE = env.AMTSWEG_PKI_TRUST_ANCHORS_FILE
ALLOWED_HOSTS = env.ALLOWED_HOSTS
CSRF_TRUSTED_ORIGINS = env.CSRF_TRUSTED_ORIGINS
# Public base URL of this installation, used in API answers (submission URLs) and e-mails.
PUBLIC_BASE_URL = (env.PUBLIC_BASE_URL or "http://127.0.0.1:8000").rstrip("/")
PUBLIC_BASE_URL_CONFIGURED = env.PUBLIC_BASE_URL is not None  # else `amtsweg demo` uses its own address

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks_db",
    # Amtsweg apps, in the README's layer order (later may use earlier, never the reverse; `lint-imports`
    # checks it with the contract in pyproject.toml, amtsweg.core.tests.test_layers that this list agrees).
    "amtsweg.core",
    "amtsweg.geo",
    "amtsweg.catalogue",
    "amtsweg.accounts",
    "amtsweg.routing",
    "amtsweg.identity",
    "amtsweg.payments",
    "amtsweg.assistants",
    "amtsweg.submissions",
    "amtsweg.delivery",
    "amtsweg.shop",
    "amtsweg.casework",
    "amtsweg.postfach",
    "amtsweg.maturity",
]

MIDDLEWARE = [
    "amtsweg.core.requestid.RequestIdMiddleware",  # first: every later middleware's log lines carry the id
    "amtsweg.core.metrics.RequestMetricsMiddleware",  # counts and times every answer, redirects and errors too
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Login, staff account and a verified second factor for every staff path, in one place.
    "amtsweg.accounts.access.StaffAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "amtsweg.core.privacy.NoStoreMiddleware",  # no-store on pages with an applicant's personal data
]

ROOT_URLCONF = "amtsweg.urls"
WSGI_APPLICATION = "amtsweg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "amtsweg.core.navigation.public_navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env.DATABASE_URL or f"sqlite:///{VAR_DIR / 'amtsweg.sqlite3'}",
        conn_max_age=env.DB_CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
# Embedded SQLite: a background thread per process checkpoints the WAL this often (0: off, and writers
# checkpoint at SQLite's default of 1,000 pages as usual; see amtsweg.core.sqlite_wal).
AMTSWEG_SQLITE_CHECKPOINT_INTERVAL_SECONDS = env.AMTSWEG_SQLITE_CHECKPOINT_INTERVAL_SECONDS
AMTSWEG_SQLITE_AUTOCHECKPOINT_PAGES = 10_000 if AMTSWEG_SQLITE_CHECKPOINT_INTERVAL_SECONDS > 0 else 1000
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process and the delivery worker read while the other writes.
        # Writers checkpoint the WAL only as a safety net; a background thread does it (core.sqlite_wal).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
        f"PRAGMA wal_autocheckpoint={AMTSWEG_SQLITE_AUTOCHECKPOINT_PAGES};",
        "transaction_mode": "IMMEDIATE",
    }
    # The back office's covering indexes (`include=`) serve PostgreSQL; SQLite builds them without the extra
    # columns, which is all the embedded demo needs. Without this every demo command printed the warning.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    # Tests use a database file, not memory: an in-memory test database is one connection that Django
    # shares between the test and every thread of the live server, so concurrent requests (a browser
    # loading a page, the reference client's callbacks) would interleave their transactions on it.
    DATABASES["default"]["TEST"] = {
        "NAME": env.AMTSWEG_TEST_DATABASE
        or str(Path(tempfile.gettempdir()) / f"amtsweg-test-{os.getpid()}.sqlite3"),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "catalogue:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Failed-login throttling (django-axes): lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env.AXES_FAILURE_LIMIT
AXES_COOLOFF_TIME = 0.25
# django-otp's exponential back-off (1 s after the first wrong code) refused the correct next code; TOTP codes
# follow the same policy as passwords instead: 5 failures per device, then AXES_COOLOFF_TIME
# (amtsweg.accounts.otp.code_attempt_allowed).
OTP_TOTP_THROTTLE_FACTOR = 0
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.AXES_ENABLED
AXES_LOCKOUT_CALLABLE = "amtsweg.accounts.views.lockout_response"  # a German page (HTTP 429), not a bare 403
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]  # masked in axes' stored attempt records
# The client address comes from the configured trusted proxies, like every rate limit (amtsweg.core.clientip).
AXES_CLIENT_IP_CALLABLE = "amtsweg.core.clientip.axes_client_ip"
# Reverse proxies in front of Django that append to X-Forwarded-For (0: the header is ignored entirely).
AMTSWEG_TRUSTED_PROXIES = env.AMTSWEG_TRUSTED_PROXIES
# Requests per minute and client IP on the public routing API (429 beyond).
ROUTING_API_RATE_LIMIT = env.ROUTING_API_RATE_LIMIT

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.STATIC_ROOT or VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = env.MEDIA_ROOT or VAR_DIR / "media"
# Attachment files (ciphertext above the inline size) go through Django's storage API. On several hosts
# MEDIA_ROOT is a shared mount (NFS, CephFS) or the backend is another one (docs/betrieb.md, "Dateiablage").
STORAGES = {
    "default": {"BACKEND": env.AMTSWEG_FILE_STORAGE},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # the demo and the tests serve static files without collectstatic

# --- Hardening -------------------------------------------------------------------------------------
SECURE_COOKIES = env.SECURE_COOKIES if env.SECURE_COOKIES is not None else (
    not DEBUG and PUBLIC_BASE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "amtsweg.core.problems.csrf_failure"  # German page in the site's frame; problem+json on APIs
SESSION_COOKIE_AGE = 60 * 60 * 8
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE_COOKIES:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ----------------------------------------------------------------------------------------
# Django 6.1 mailers: the demo writes mails as files under var/mail; production sets EMAIL_URL-style
# options through MAILER_BACKEND/MAILER_OPTIONS_* or replaces this block in a local settings module.
MAILERS = {
    "default": {
        "BACKEND": env.MAILER_BACKEND,
        "OPTIONS": {"file_path": str(VAR_DIR / "mail")} if env.MAILER_BACKEND.endswith("filebased.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL

# --- Background tasks ------------------------------------------------------------------------------
# Tasks only wake workers; delivery state and retries live in the outbox table (see amtsweg.delivery).
TASKS = {
    "default": {
        "BACKEND": env.TASKS_BACKEND,
    }
}

# --- Application hand-over -------------------------------------------------------------------------
# The callable that takes a completed application from the assistant (see amtsweg.assistants.handoff).
AMTSWEG_SUBMISSION_INTAKE = env.AMTSWEG_SUBMISSION_INTAKE
# Encrypted attachments up to this size are kept in the database row (transactional, no file per
# attachment); larger ones go to MEDIA_ROOT / the configured file storage.
AMTSWEG_ATTACHMENT_INLINE_MAX_BYTES = env.AMTSWEG_ATTACHMENT_INLINE_MAX_BYTES
# Let sender callbacks reach private/loopback addresses, over http to localhost/such IPs too (tests; not production).
AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS = env.AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS
# Private networks (CIDR, separated by commas) where this deployment's Fachverfahren receive destination
# callbacks over https; everything else must be public (amtsweg.core.netguard). Never for sender callbacks.
AMTSWEG_CALLBACK_ALLOWED_NETWORKS = env.AMTSWEG_CALLBACK_ALLOWED_NETWORKS
# Delivery (amtsweg.delivery.conf): leases, back-off, retry horizon, timeouts, batch size, sweep interval,
# and the root folder of the directory-export channel.
AMTSWEG_DELIVERY_EXPORT_ROOT = env.AMTSWEG_DELIVERY_EXPORT_ROOT  # None: VAR_DIR / "export"
AMTSWEG_DELIVERY_LEASE_SECONDS = env.AMTSWEG_DELIVERY_LEASE_SECONDS
AMTSWEG_DELIVERY_BACKOFF_BASE_SECONDS = env.AMTSWEG_DELIVERY_BACKOFF_BASE_SECONDS
AMTSWEG_DELIVERY_BACKOFF_MAX_SECONDS = env.AMTSWEG_DELIVERY_BACKOFF_MAX_SECONDS
AMTSWEG_DELIVERY_RETRY_HORIZON_HOURS = env.AMTSWEG_DELIVERY_RETRY_HORIZON_HOURS
AMTSWEG_DELIVERY_CALLBACK_TIMEOUT_SECONDS = env.AMTSWEG_DELIVERY_CALLBACK_TIMEOUT_SECONDS
AMTSWEG_DELIVERY_BATCH_SIZE = env.AMTSWEG_DELIVERY_BATCH_SIZE
AMTSWEG_DELIVERY_SWEEP_INTERVAL_SECONDS = env.AMTSWEG_DELIVERY_SWEEP_INTERVAL_SECONDS
AMTSWEG_DELIVERY_EXPORT_TMP_STALE_SECONDS = env.AMTSWEG_DELIVERY_EXPORT_TMP_STALE_SECONDS

# Mails an anonymous request makes the platform send (save-and-resume link, status link), counted per
# recipient address and per client IP in the default cache (amtsweg.core.ratelimit); django-ratelimit rates.
AMTSWEG_MAIL_LIMIT_PER_ADDRESS = env.AMTSWEG_MAIL_LIMIT_PER_ADDRESS
AMTSWEG_MAIL_LIMIT_PER_CLIENT = env.AMTSWEG_MAIL_LIMIT_PER_CLIENT

# --- Citizen login and payment (amtsweg.identity, amtsweg.payments) --------------------------------
# Embedded test providers (SAML IdP + OpenID provider under /test-idp/, payment provider under
# /testbezahldienst/): for the demo and the tests only, never in production.
AMTSWEG_TEST_IDENTITY_PROVIDERS = env.AMTSWEG_TEST_IDENTITY_PROVIDERS
AMTSWEG_TEST_PAYMENT_PROVIDER = env.AMTSWEG_TEST_PAYMENT_PROVIDER
# Maturity cells follow each subscription, responsibility and receiving-system change (maturity.triggers);
# off, they change only with the daily `amtsweg maturity_recompute`.
AMTSWEG_MATURITY_INCREMENTAL = env.AMTSWEG_MATURITY_INCREMENTAL
AMTSWEG_PAYMENT_PROVIDER = env.AMTSWEG_PAYMENT_PROVIDER
AMTSWEG_TESTBEZAHLDIENST_URL = env.AMTSWEG_TESTBEZAHLDIENST_URL
# BundID (SAML): the IdP's metadata file switches it on; the SP's key and certificate (required with BundID
# outside embedded mode, amtsweg.E005); the xmlsec1 binary that signs and checks.
AMTSWEG_BUNDID_METADATA_FILE = env.AMTSWEG_BUNDID_METADATA_FILE
AMTSWEG_SAML_SP_KEY_FILE = env.AMTSWEG_SAML_SP_KEY_FILE
AMTSWEG_SAML_SP_CERT_FILE = env.AMTSWEG_SAML_SP_CERT_FILE
XMLSEC_BINARY = env.XMLSEC_BINARY
# A configured OpenID Connect login (amtsweg.identity.providers.oidc.ConfiguredOidcProvider).
AMTSWEG_OIDC_ISSUER = env.AMTSWEG_OIDC_ISSUER
AMTSWEG_OIDC_CLIENT_ID = env.AMTSWEG_OIDC_CLIENT_ID
AMTSWEG_OIDC_CLIENT_SECRET = env.AMTSWEG_OIDC_CLIENT_SECRET
AMTSWEG_OIDC_LABEL = env.AMTSWEG_OIDC_LABEL
AMTSWEG_OIDC_LEVELS = env.AMTSWEG_OIDC_LEVELS
# Test plugins of the other kinds (delivery channels, output formats, navigation, online-service links):
# registered always, offered only when this is on (amtsweg.core.plugins).
AMTSWEG_TEST_PLUGINS = env.AMTSWEG_TEST_PLUGINS

# --- API -------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bounded in depth, without NUL/surrogates/NaN (amtsweg.core.parsers); errors as problem+json.
    "DEFAULT_PARSER_CLASSES": [
        "amtsweg.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "amtsweg.core.problems.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Amtsweg API",
    "DESCRIPTION": "Routing, submission and shop APIs of Amtsweg (FIT-Connect compatible where stated).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Every error answer as core.problems produces it: problem+json, and the frame's 400/401/403/404/406/413/415.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "amtsweg.core.openapi.problem_documents"],
}

REDIS_URL = env.REDIS_URL

# --- Operation: /metrics (amtsweg.core.metrics); refused to everybody unless a token or networks are set ------
AMTSWEG_METRICS_TOKEN = env.AMTSWEG_METRICS_TOKEN
AMTSWEG_METRICS_ALLOWED_NETWORKS = env.AMTSWEG_METRICS_ALLOWED_NETWORKS
PROMETHEUS_MULTIPROC_DIR = env.PROMETHEUS_MULTIPROC_DIR
CACHES = {
    # Short socket timeouts: sessions and rate limits go on without an unreachable Redis instead of waiting
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Sessions live in the database; with Redis they are read through it (one statement less per page, issue 18).
# Never with the per-process memory cache: another process could serve a session changed or ended elsewhere.
SESSION_ENGINE = "amtsweg.core.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"

# --- Logging: JSON lines, no personal data (only ids, paths without query strings, status codes) ----
LOG_LEVEL = env.LOG_LEVEL
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "scrub": {"()": "amtsweg.core.logging.ScrubPersonalDataFilter"},
        "request_id": {"()": "amtsweg.core.requestid.RequestIdFilter"},  # after scrub, which drops library extras
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["scrub", "request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

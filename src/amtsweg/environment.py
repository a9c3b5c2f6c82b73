"""Every environment variable Amtsweg reads, typed, in one place (pydantic-settings).

`amtsweg.settings` reads them once through `read()` and turns them into Django settings; apps read
`django.conf.settings`, never the environment (`core/tests/test_environment.py` checks both, and that the
README's configuration table lists exactly these variables — the table is their documentation).

An empty variable counts as unset. A value of the wrong type (`DEBUG=vielleicht`, `DB_CONN_MAX_AGE=lang`)
stops the start with one message naming every bad variable, instead of silently meaning "off".
Secrets that production needs (SECRET_KEY, AMTSWEG_DRAFT_KEY, AMTSWEG_CASEWORK_KEK, PLATFORM_SIGNING_KEY_FILE,
the SAML SP key with BundID) have no default here: outside embedded mode the system checks `amtsweg.E001`–`E006`
stop the start when they are missing, with a hint how to make one; in embedded mode (demo, tests) they are
generated into var/.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

CommaList = Annotated[list[str], NoDecode]  # "a,b" in the environment, not JSON


class Environment(BaseSettings):
    """The variables and their defaults; the meaning of each is in the README's configuration table."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore", frozen=True)

    # --- Installation and database
    AMTSWEG_VAR_DIR: Path | None = None  # default: <repository>/var
    DATABASE_URL: str | None = None  # default: SQLite under AMTSWEG_VAR_DIR
    DB_CONN_MAX_AGE: int = Field(60, ge=0)
    AMTSWEG_SQLITE_CHECKPOINT_INTERVAL_SECONDS: float = Field(0.1, ge=0)
    AMTSWEG_TEST_DATABASE: str = ""
    STATIC_ROOT: Path | None = None
    MEDIA_ROOT: Path | None = None
    AMTSWEG_FILE_STORAGE: str = "django.core.files.storage.FileSystemStorage"
    REDIS_URL: str = ""
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    # --- Secrets and embedded mode
    AMTSWEG_EMBEDDED: bool | None = None  # default: see amtsweg.settings.embedded_default
    PYTEST_VERSION: str = ""  # set by pytest, inherited by the processes the tests start: embedded mode
    DEBUG: bool = False
    SECRET_KEY: str = ""
    AMTSWEG_DRAFT_KEY: str = ""
    AMTSWEG_CASEWORK_KEK: str = ""  # checked by amtsweg.E006
    PLATFORM_SIGNING_KEY_FILE: str = ""
    PLATFORM_SIGNING_CHAIN_FILE: str = ""  # PEM chain of the signing key's certificate (x5c), leaf first
    AMTSWEG_PKI_TRUST_ANCHORS_FILE: str = ""  # PEM bundle of the administration PKI's roots (checked: E007)

    # --- HTTP
    ALLOWED_HOSTS: CommaList = ["127.0.0.1", "localhost", "testserver"]
    CSRF_TRUSTED_ORIGINS: CommaList = []
    PUBLIC_BASE_URL: str | None = None  # default: http://127.0.0.1:8000
    SECURE_COOKIES: bool | None = None  # default: on when PUBLIC_BASE_URL is https:// and DEBUG is off
    AMTSWEG_TRUSTED_PROXIES: int = Field(0, ge=0)
    ROUTING_API_RATE_LIMIT: int = Field(600, ge=1)
    AXES_ENABLED: bool = True
    AXES_FAILURE_LIMIT: int = Field(5, ge=1)

    # --- Operation: metrics (amtsweg.core.metrics)
    AMTSWEG_METRICS_TOKEN: str = ""
    AMTSWEG_METRICS_ALLOWED_NETWORKS: CommaList = []
    PROMETHEUS_MULTIPROC_DIR: Path | None = None  # read by prometheus_client itself too

    # --- Mail and rate limits
    MAILER_BACKEND: str = "django.core.mail.backends.filebased.EmailBackend"
    DEFAULT_FROM_EMAIL: str = "amtsweg@localhost"
    AMTSWEG_MAIL_LIMIT_PER_ADDRESS: str = "5/h"
    AMTSWEG_MAIL_LIMIT_PER_CLIENT: str = "20/h"

    # --- Applications and delivery
    TASKS_BACKEND: str = "django_tasks_db.DatabaseBackend"
    AMTSWEG_SUBMISSION_INTAKE: str = "amtsweg.submissions.intake.accept_form_submission"
    AMTSWEG_ATTACHMENT_INLINE_MAX_BYTES: int = Field(256 * 1024, ge=0)
    AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS: bool = False
    AMTSWEG_CALLBACK_ALLOWED_NETWORKS: str = ""  # checked by amtsweg.E004
    AMTSWEG_DELIVERY_EXPORT_ROOT: Path | None = None  # default: AMTSWEG_VAR_DIR/export
    # How long a claimed message stays reserved for one worker. A worker that dies (SIGKILL) leaves its
    # messages in_flight; once the lease has run out any worker may claim them again.
    AMTSWEG_DELIVERY_LEASE_SECONDS: float = Field(120.0, gt=0)
    # Exponential back-off: first retry after about BACKOFF_BASE seconds, doubling, capped at BACKOFF_MAX.
    AMTSWEG_DELIVERY_BACKOFF_BASE_SECONDS: float = Field(30.0, ge=0)
    AMTSWEG_DELIVERY_BACKOFF_MAX_SECONDS: float = Field(3600.0, ge=0)
    # After this long since the first attempt a failing message becomes a dead letter.
    AMTSWEG_DELIVERY_RETRY_HORIZON_HOURS: float = Field(48.0, ge=0)
    # Timeout of one outgoing callback request (connect + read).
    AMTSWEG_DELIVERY_CALLBACK_TIMEOUT_SECONDS: float = Field(10.0, gt=0)
    # How many due messages one worker claims at once.
    AMTSWEG_DELIVERY_BATCH_SIZE: int = Field(50, ge=1)
    # Interval of the sweep that wakes workers for due retries and expired leases.
    AMTSWEG_DELIVERY_SWEEP_INTERVAL_SECONDS: float = Field(15.0, gt=0)
    # A directory export's temporary folder unchanged this long was left by a crashed export and is
    # removed; far above the seconds one export takes, so a running exporter's folder is never touched.
    AMTSWEG_DELIVERY_EXPORT_TMP_STALE_SECONDS: float = Field(3600.0, gt=0)

    # --- Maturity (Reifegrad, issue 17)
    AMTSWEG_MATURITY_INCREMENTAL: bool = True  # recompute cells on each fact change (off: daily run only)

    # --- Citizen login and payment
    AMTSWEG_TEST_IDENTITY_PROVIDERS: bool = False
    AMTSWEG_TEST_PAYMENT_PROVIDER: bool = False
    AMTSWEG_PAYMENT_PROVIDER: str = "testbezahldienst"
    AMTSWEG_TESTBEZAHLDIENST_URL: str = ""
    AMTSWEG_TEST_PLUGINS: bool = False
    AMTSWEG_BUNDID_METADATA_FILE: str = ""
    AMTSWEG_SAML_SP_KEY_FILE: str = ""
    AMTSWEG_SAML_SP_CERT_FILE: str = ""
    XMLSEC_BINARY: str = ""  # default: xmlsec1 on the PATH
    AMTSWEG_OIDC_ISSUER: str = ""
    AMTSWEG_OIDC_CLIENT_ID: str = ""
    AMTSWEG_OIDC_CLIENT_SECRET: str = ""
    AMTSWEG_OIDC_LABEL: str = "OpenID Connect"
    AMTSWEG_OIDC_LEVELS: CommaList = ["niedrig"]

    @field_validator("ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "AMTSWEG_OIDC_LEVELS", "AMTSWEG_METRICS_ALLOWED_NETWORKS",
                     mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("AMTSWEG_METRICS_ALLOWED_NETWORKS")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        """A mistyped network must stop the start, not silently refuse (or open) the metrics."""
        import ipaddress

        for item in value:
            ipaddress.ip_network(item, strict=False)  # ValueError: pydantic names the variable
        return value

    @field_validator("LOG_LEVEL", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class ConfigurationError(Exception):
    """An environment variable has a value of the wrong type; the message names each one."""


class _Given(Environment):
    """The same variables from a given mapping only (for tests), never from the process environment."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, **other_sources):
        return (init_settings,)


def read(environ: Mapping[str, str] | None = None) -> Environment:
    """The environment as typed values (`environ`: a mapping to read instead of os.environ, for tests)."""
    try:
        if environ is None:
            return Environment()
        return _Given(**{k: v for k, v in environ.items() if k in Environment.model_fields and v != ""})
    except ValidationError as exc:
        lines = [f"  {'.'.join(map(str, error['loc']))}={error.get('input')!r}: {error['msg']}"
                 for error in exc.errors()]
        raise ConfigurationError("Invalid environment variables:\n" + "\n".join(lines)) from None

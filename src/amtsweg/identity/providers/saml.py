"""SAML 2.0 service provider as BundID speaks it (pysaml2, signatures by xmlsec1).

* AuthnRequest over HTTP-Redirect, signed (RSA-SHA256), with RequestedAuthnContext
  `STORK-QAA-Level-n` (Comparison="minimum") for the level the service needs, and BundID's
  `akdb:AuthenticationRequest` extension naming the attributes we ask for.
* Response over HTTP-POST to our ACS; the assertion must be signed by the IdP's metadata key (a signed
  response is checked too); encrypted assertions are decrypted with our key, as BundID encrypts them.
* InResponseTo must match a request this browser session sent (no unsolicited responses).
* The level comes from the AuthnContextClassRef (STORK-QAA or eIDAS URI) and is checked again here: the
  SP never relies on the IdP having honoured the requested minimum.
* Attributes by BundID's OIDs (urn:oid:…); the person's key is the bPK2 attribute, else the persistent NameID.
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
import shutil
from abc import abstractmethod
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, extension_element_from_string
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, AuthnContextClassRef
from saml2.samlp import Extensions, RequestedAuthnContext
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from amtsweg.identity import keys, levels
from amtsweg.identity.registry import IdentityProvider, register
from amtsweg.identity.services import login_citizen
from amtsweg.identity.session import CitizenIdentity

logger = logging.getLogger(__name__)
OUTSTANDING_KEY = "amtsweg.saml.outstanding"
MAX_OUTSTANDING = 5

# BundID's attribute names (the OIDs of the X.500/eGov attribute types it releases).
OID_GIVEN_NAME = "urn:oid:2.5.4.42"
OID_SURNAME = "urn:oid:2.5.4.4"
OID_EMAIL = "urn:oid:0.9.2342.19200300.100.1.3"
OID_POSTAL_ADDRESS = "urn:oid:2.5.4.16"  # street and house number, e.g. "Bahnhofstraße 12a"
OID_POSTAL_CODE = "urn:oid:2.5.4.17"
OID_LOCALITY = "urn:oid:2.5.4.7"
OID_COUNTRY = "urn:oid:1.2.40.0.10.2.1.1.225599"
OID_BIRTHDATE = "urn:oid:1.2.40.0.10.2.1.1.55"
OID_BPK2 = "urn:oid:1.3.6.1.4.1.25484.494450.3"  # stable pseudonymous key of the person
OID_QAA_LEVEL = "urn:oid:1.2.40.0.10.2.1.1.261.94"  # EID-CITIZEN-QAA-LEVEL (informational)
REQUESTED_ATTRIBUTES = (OID_BPK2, OID_GIVEN_NAME, OID_SURNAME, OID_POSTAL_ADDRESS, OID_POSTAL_CODE, OID_LOCALITY,
                        OID_EMAIL, OID_BIRTHDATE)

AKDB_NAMESPACE = "https://www.akdb.de/request/2018/09"


def akdb_extension(requested: tuple[str, ...] = REQUESTED_ATTRIBUTES) -> Extensions:
    """BundID's `akdb:AuthenticationRequest` (in <samlp:Extensions>): which attributes we ask it to release."""
    items = "".join(f'<akdb:RequestedAttribute Name="{oid}" RequiredAttribute="{str(oid == OID_BPK2).lower()}"/>'
                    for oid in requested)
    xml = (f'<akdb:AuthenticationRequest xmlns:akdb="{AKDB_NAMESPACE}" Version="2">'
           f"<akdb:RequestedAttributes>{items}</akdb:RequestedAttributes></akdb:AuthenticationRequest>")
    return Extensions(extension_elements=[extension_element_from_string(xml)])


_STREET_RE = re.compile(r"^(?P<street>.*?\S)\s+(?P<number>\d+\s*[a-zA-Z]?(?:\s*[-/]\s*\d+\s*[a-zA-Z]?)?)$")


def split_street(postal_address: str) -> tuple[str, str]:
    """"Bahnhofstraße 12a" → ("Bahnhofstraße", "12a"); without a trailing number the whole text is the street."""
    text = " ".join((postal_address or "").split())
    match = _STREET_RE.match(text)
    if not match:
        return text, ""
    return match["street"], match["number"].replace(" ", "")


def xmlsec_binary() -> str:
    path = settings.XMLSEC_BINARY or shutil.which("xmlsec1")
    if not path:
        raise RuntimeError("xmlsec1 is missing: run bin/setup (apt-get install xmlsec1)")
    return path


class SamlRefused(Exception):
    """A SAML response that must not log anybody in. The message is for the citizen (German)."""


class SamlProvider(IdentityProvider):
    protocol = "saml"

    def offered_levels(self) -> tuple[str, ...]:
        return levels.LEVELS

    # --- configuration, overridden per provider -------------------------------------------------------
    @abstractmethod
    def idp_metadata(self, request: HttpRequest) -> str:
        """The identity provider's SAML metadata (XML)."""

    def sp_base_url(self, request: HttpRequest) -> str:
        return request.build_absolute_uri("/").rstrip("/")

    def sp_entity_id(self, request: HttpRequest) -> str:
        return self.sp_base_url(request) + reverse("identity:saml-metadata", args=[self.identifier])

    def sp_config(self, request: HttpRequest) -> SPConfig:
        return _sp_config(self.identifier, self.sp_base_url(request), self.sp_entity_id(request),
                          self.idp_metadata(request), str(keys.key_dir()))

    def client(self, request: HttpRequest) -> Saml2Client:
        return Saml2Client(config=self.sp_config(request))

    def idp_entity_id(self, client: Saml2Client) -> str:
        return next(iter(client.metadata.identity_providers()))

    # --- the flow --------------------------------------------------------------------------------------
    def start_login(self, request: HttpRequest, *, min_level: str | None, next_url: str) -> HttpResponse:
        client = self.client(request)
        requested = min_level or levels.NIEDRIG
        relay_state = secrets.token_urlsafe(16)  # BundID limits RelayState to 80 bytes
        request_id, info = client.prepare_for_authenticate(
            entityid=self.idp_entity_id(client),
            relay_state=relay_state,
            binding=BINDING_HTTP_REDIRECT,
            sigalg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
            nameid_format=NAMEID_FORMAT_PERSISTENT,
            extensions=akdb_extension(),
            requested_authn_context=RequestedAuthnContext(
                authn_context_class_ref=[AuthnContextClassRef(text=levels.REQUEST_CLASS_REF[requested])],
                comparison="minimum",
            ),
        )
        outstanding = dict(request.session.get(OUTSTANDING_KEY, {}))
        outstanding[request_id] = {"provider": self.identifier, "next": next_url, "min_level": min_level,
                                   "relay_state": relay_state}
        request.session[OUTSTANDING_KEY] = dict(list(outstanding.items())[-MAX_OUTSTANDING:])
        location = dict(info["headers"])["Location"]
        return HttpResponseRedirect(location)

    def identity_from_response(self, request: HttpRequest, saml_response: str, relay_state: str
                               ) -> tuple[CitizenIdentity, dict]:
        outstanding = {k: v for k, v in request.session.get(OUTSTANDING_KEY, {}).items()
                       if v.get("provider") == self.identifier}
        if not outstanding:
            raise SamlRefused(_("Die Anmeldung ist abgelaufen oder wurde nicht hier begonnen. Bitte melden Sie "
                                "sich erneut an."))
        client = self.client(request)
        try:
            response = client.parse_authn_request_response(
                saml_response, BINDING_HTTP_POST, outstanding={k: v["next"] for k, v in outstanding.items()}
            )
        except Exception as exc:  # pysaml2 raises many types: signature, status, time, audience, unsolicited
            logger.warning("SAML response refused", extra={"provider": self.identifier,
                                                           "reason": type(exc).__name__})
            raise SamlRefused(_("Die Antwort des Anmeldedienstes konnte nicht bestätigt werden. Sie wurden nicht "
                                "angemeldet. Bitte versuchen Sie es erneut.")) from exc
        if response is None or response.in_response_to not in outstanding:
            raise SamlRefused(_("Die Antwort des Anmeldedienstes gehört zu keiner Anmeldung in dieser Sitzung."))
        pending = outstanding[response.in_response_to]
        if relay_state != pending["relay_state"]:
            raise SamlRefused(_("Die Antwort des Anmeldedienstes gehört zu keiner Anmeldung in dieser Sitzung."))
        remaining = dict(request.session.get(OUTSTANDING_KEY, {}))
        remaining.pop(response.in_response_to, None)
        request.session[OUTSTANDING_KEY] = remaining

        class_refs = [info[0] for info in response.authn_info() if info and info[0]]
        level = next((lv for lv in (levels.normalize(ref) for ref in class_refs) if lv), None)
        if level is None:
            raise SamlRefused(_("Der Anmeldedienst hat kein Vertrauensniveau übermittelt. Sie wurden nicht "
                                "angemeldet."))
        if not levels.satisfies(level, pending["min_level"]):
            raise SamlRefused(_(
                "Sie haben sich mit dem Vertrauensniveau „%(actual)s“ angemeldet. Diese Leistung verlangt "
                "mindestens „%(required)s“, z. B. mit der Online-Ausweisfunktion. Bitte melden Sie sich damit an."
            ) % {"actual": levels.label(level), "required": levels.label(pending["min_level"])})

        attributes = _raw_attributes(response)
        name_id = response.assertion.subject.name_id
        subject = attributes.get(OID_BPK2) or (name_id.text.strip() if name_id is not None and name_id.text else "")
        if not subject:
            raise SamlRefused(_("Der Anmeldedienst hat keine Kennung übermittelt. Sie wurden nicht angemeldet."))
        street, number = split_street(attributes.get(OID_POSTAL_ADDRESS, ""))
        identity = CitizenIdentity(
            provider=self.identifier,
            subject=subject,
            given_name=attributes.get(OID_GIVEN_NAME, ""),
            family_name=attributes.get(OID_SURNAME, ""),
            street=street,
            house_number=number,
            postcode=attributes.get(OID_POSTAL_CODE, ""),
            city=attributes.get(OID_LOCALITY, ""),
            email=attributes.get(OID_EMAIL, ""),
            level=level,
            birth_date=iso_birth_date(attributes.get(OID_BIRTHDATE, "")),
        )
        return identity, pending


def iso_birth_date(value: str) -> str:
    """A birth date as the form's date field takes it (YYYY-MM-DD), or "" when incomplete or malformed: the eID
    sends "1964-00-00" when only the year is known, and a partial date must not be prefilled as a real one."""
    from datetime import date

    value = (value or "").strip()[:10]
    try:
        return date.fromisoformat(value).isoformat() if len(value) == 10 else ""
    except ValueError:
        return ""


def _raw_attributes(response) -> dict[str, str]:
    """Attributes by their SAML Name (BundID: urn:oid:…), first value each, from the verified assertion."""
    values: dict[str, str] = {}
    for statement in response.assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            texts = [v.text.strip() for v in attribute.attribute_value or [] if v.text and v.text.strip()]
            if texts and attribute.name not in values:
                values[attribute.name] = texts[0]
    return values


@functools.lru_cache(maxsize=32)
def _sp_config(identifier: str, base_url: str, entity_id: str, idp_metadata: str, key_dir: str) -> SPConfig:
    """The pysaml2 SP configuration; cached per (provider, base URL, IdP metadata, key directory)."""
    pair = keys.sp_key_pair()
    acs_url = base_url + reverse("identity:saml-acs", args=[identifier])
    config = SPConfig()
    config.load({
        "entityid": entity_id,
        "xmlsec_binary": xmlsec_binary(),
        "key_file": str(pair.key_file),
        "cert_file": str(pair.cert_file),
        "encryption_keypairs": [{"key_file": str(pair.key_file), "cert_file": str(pair.cert_file)}],
        "metadata": {"inline": [idp_metadata]},
        "allow_unknown_attributes": True,
        "accepted_time_diff": 60,
        "service": {
            "sp": {
                "name": "Amtsweg",
                "endpoints": {"assertion_consumer_service": [(acs_url, BINDING_HTTP_POST)]},
                "authn_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,  # BundID signs the assertion; a signed response is verified too
                "allow_unsolicited": False,
                "name_id_format": NAMEID_FORMAT_PERSISTENT,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
            }
        },
    })
    return config


@register("bundid")
class BundIdProvider(SamlProvider):
    """The real BundID. Enabled when its metadata file is configured (AMTSWEG_BUNDID_METADATA_FILE)."""

    label = "BundID"
    description = gettext_lazy("Das Nutzerkonto des Bundes: mit Online-Ausweis, ELSTER-Zertifikat oder "
                                "Benutzername und Passwort.")

    def _metadata_file(self) -> str:
        return settings.AMTSWEG_BUNDID_METADATA_FILE

    def is_enabled(self) -> bool:
        return bool(self._metadata_file()) and Path(self._metadata_file()).is_file()

    def idp_metadata(self, request: HttpRequest) -> str:
        return Path(self._metadata_file()).read_text()

    def sp_base_url(self, request: HttpRequest) -> str:
        # The address registered with BundID, independent of the Host header.
        return settings.PUBLIC_BASE_URL


def _provider(identifier: str) -> SamlProvider | None:
    plugin = register.get_enabled(identifier)
    return plugin if isinstance(plugin, SamlProvider) else None


@csrf_exempt  # a cross-site POST from the IdP; authenticity comes from the signed assertion + InResponseTo
@require_POST
def acs(request: HttpRequest, provider: str) -> HttpResponse:
    plugin = _provider(provider)
    saml_response = request.POST.get("SAMLResponse", "")
    relay_state = request.POST.get("RelayState", "")
    if plugin is None or not saml_response:
        return HttpResponseBadRequest(_("Ungültige Anmeldeantwort."))
    if settings.SESSION_COOKIE_NAME not in request.COOKIES and request.POST.get("amtsweg_repost") != "1":
        # SameSite=Lax keeps our session cookie off a cross-site POST (BundID → us). Post once more from our
        # own origin so that the session with the pending request is there.
        return render(request, "identity/saml_repost.html", {
            "action": request.path, "saml_response": saml_response, "relay_state": relay_state,
        })
    try:
        identity, pending = plugin.identity_from_response(request, saml_response, relay_state)
    except SamlRefused as exc:
        return render(request, "identity/login_refused.html", {"message": str(exc)}, status=403)
    login_citizen(request, identity)
    messages.success(request, _("Sie sind angemeldet. Vertrauensniveau: %(level)s.")
                     % {"level": levels.label(identity.level)})
    return HttpResponseRedirect(pending["next"])


@require_GET
def metadata(request: HttpRequest, provider: str) -> HttpResponse:
    """Our SP metadata, to register with the IdP (BundID asks for it)."""
    plugin = _provider(provider)
    if plugin is None:
        return HttpResponse(status=404)
    xml = create_metadata_string(None, config=plugin.sp_config(request), sign=False)
    return HttpResponse(xml, content_type="application/samlmetadata+xml")

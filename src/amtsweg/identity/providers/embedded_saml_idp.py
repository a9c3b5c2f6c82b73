"""Embedded test identity providers for the demo and the tests: a SAML IdP that speaks like BundID
(pysaml2's IdP server) and an OpenID provider (Authlib's authorization server, see `embedded_oidc_op`).
The platform's login plugins that use them ("test-saml" here, "test-oidc" there) live beside them, not in
the production provider modules (`saml`, `oidc`), which never import these modules (`lint-imports`).

They are real protocol endpoints served over HTTP under /test-idp/, with their own keys generated at run
time into settings.AMTSWEG_IDENTITY_KEY_DIR. A visitor logs in as one of the test persons below and picks the
level of assurance the IdP reports. Everything here answers 404 unless settings.AMTSWEG_TEST_IDENTITY_PROVIDERS
is on. Two test-only knobs make it misbehave on purpose: AMTSWEG_TEST_IDP_SIGN=False (unsigned
responses) and AMTSWEG_TEST_IDP_ENCRYPT=False (plain assertions, so a test can tamper with them).
"""

from __future__ import annotations

import base64
import functools
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from amtsweg.identity import keys, levels
from amtsweg.identity.providers import saml as saml_sp
from amtsweg.identity.registry import register


@dataclass(frozen=True)
class TestPerson:
    key: str
    subject: str  # bPK2-like stable pseudonym
    given_name: str
    family_name: str
    street: str
    house_number: str
    postcode: str
    city: str
    email: str
    birth_date: str = ""  # YYYY-MM-DD, as the eID sends it

    __test__ = False

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def get_user_id(self) -> str:  # Authlib's user protocol
        return self.subject


TEST_PERSONS: dict[str, TestPerson] = {p.key: p for p in [
    TestPerson("erika", "bpk2:TEST:ErikaMustermann0001", "Erika", "Mustermann", "Bahnhofstraße", "12a", "66111",
               "Saarbrücken", "erika.mustermann@example.org", "1964-08-12"),
    TestPerson("max", "bpk2:TEST:MaxMustermann0002", "Max", "Mustermann", "Poststraße", "3", "66333", "Völklingen",
               "max.mustermann@example.org", "1980-03-01"),
    TestPerson("leyla", "bpk2:TEST:LeylaOezdemir0003", "Leyla", "Özdemir", "Am Markt", "7", "66538",
               "Neunkirchen", "leyla.oezdemir@example.org"),
]}
PENDING_KEY = "amtsweg.test_idp.pending"


def require_enabled() -> None:
    if not getattr(settings, "AMTSWEG_TEST_IDENTITY_PROVIDERS", False):
        raise Http404


def person_form_context(requested_level: str | None) -> dict:
    return {
        "persons": TEST_PERSONS.values(),
        "levels": [(lv, levels.label(lv)) for lv in levels.LEVELS],
        "requested_level": requested_level or levels.SUBSTANTIELL,
    }


# --- SAML IdP --------------------------------------------------------------------------------------------
def _idp_urls(base_url: str) -> tuple[str, str]:
    return (base_url + reverse("identity:test-idp-saml-metadata"), base_url + reverse("identity:test-idp-saml-sso"))


def _idp_config_dict(base_url: str, sp_metadata: str | None) -> dict:
    entity_id, sso_url = _idp_urls(base_url)
    pair = keys.generated_key_pair("test-idp-saml", "Amtsweg Test-IdP (SAML)")
    return {
        "entityid": entity_id,
        "xmlsec_binary": saml_sp.xmlsec_binary(),
        "key_file": str(pair.key_file),
        "cert_file": str(pair.cert_file),
        "metadata": {"inline": [sp_metadata]} if sp_metadata else {},
        "accepted_time_diff": 60,
        "service": {
            "idp": {
                "name": "Amtsweg Test-IdP",
                "endpoints": {"single_sign_on_service": [(sso_url, BINDING_HTTP_REDIRECT),
                                                         (sso_url, BINDING_HTTP_POST)]},
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "want_authn_requests_signed": True,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None,
                                       "name_form": NAME_FORMAT_URI}},
            }
        },
    }


@functools.lru_cache(maxsize=16)
def _saml_idp_metadata(base_url: str, key_dir: str) -> str:
    config = IdPConfig()
    config.load(_idp_config_dict(base_url, None))
    return create_metadata_string(None, config=config, sign=False).decode()


def saml_idp_metadata(base_url: str) -> str:
    return _saml_idp_metadata(base_url, str(keys.key_dir()))


@functools.lru_cache(maxsize=16)
def _saml_server(base_url: str, key_dir: str) -> Server:
    sp = register_test_sp()
    sp_config = saml_sp._sp_config(sp.identifier, base_url, base_url + reverse(
        "identity:saml-metadata", args=[sp.identifier]), saml_idp_metadata(base_url), key_dir)
    sp_metadata = create_metadata_string(None, config=sp_config, sign=False).decode()
    config = IdPConfig()
    config.load(_idp_config_dict(base_url, sp_metadata))
    return Server(config=config)


def register_test_sp() -> saml_sp.SamlProvider:
    return register["test-saml"]


def saml_server(request: HttpRequest) -> Server:
    return _saml_server(request.build_absolute_uri("/").rstrip("/"), str(keys.key_dir()))


@require_GET
def saml_metadata(request: HttpRequest) -> HttpResponse:
    require_enabled()
    xml = saml_idp_metadata(request.build_absolute_uri("/").rstrip("/"))
    return HttpResponse(xml, content_type="application/samlmetadata+xml")


@require_http_methods(["GET", "POST"])
def saml_sso(request: HttpRequest) -> HttpResponse:
    """GET: an AuthnRequest arrives (HTTP-Redirect, signature checked). POST: the test person logs in."""
    require_enabled()
    server = saml_server(request)
    if request.method == "GET":
        try:
            parsed = server.parse_authn_request(
                request.GET["SAMLRequest"], BINDING_HTTP_REDIRECT, relay_state=request.GET.get("RelayState"),
                sigalg=request.GET.get("SigAlg"), signature=request.GET.get("Signature"),
            )
            authn_request = parsed.message
        except Exception:  # missing, unsigned, badly signed or unknown SP
            return HttpResponseBadRequest(_("Ungültige oder nicht signierte Anmeldeanfrage."))
        requested = None
        context = authn_request.requested_authn_context
        if context is not None and context.authn_context_class_ref:
            requested = levels.normalize(context.authn_context_class_ref[0].text)
        token = secrets.token_urlsafe(16)
        pending = dict(request.session.get(PENDING_KEY, {}))
        pending[token] = {
            "protocol": "saml",
            "request_id": authn_request.id,
            "sp": authn_request.issuer.text,
            "acs": authn_request.assertion_consumer_service_url,
            "relay_state": request.GET.get("RelayState", ""),
            "requested_level": requested,
        }
        request.session[PENDING_KEY] = dict(list(pending.items())[-5:])
        return render(request, "identity/test_idp_login.html", {
            **person_form_context(requested), "token": token, "protocol_label": "SAML 2.0",
            "action": reverse("identity:test-idp-saml-sso"),
        })

    pending = request.session.get(PENDING_KEY, {}).get(request.POST.get("token", ""))
    if not pending or pending.get("protocol") != "saml":
        return HttpResponseBadRequest(_("Diese Anmeldung ist abgelaufen. Bitte beginnen Sie erneut."))
    person = TEST_PERSONS.get(request.POST.get("person", ""))
    level = levels.normalize(request.POST.get("level"))
    if person is None or level is None:
        return render(request, "identity/test_idp_login.html", {
            **person_form_context(pending["requested_level"]), "token": request.POST.get("token"),
            "protocol_label": "SAML 2.0", "action": reverse("identity:test-idp-saml-sso"), "error": True,
        }, status=400)
    xml = build_saml_response(server, pending, person, level,
                              sign=getattr(settings, "AMTSWEG_TEST_IDP_SIGN", True),
                              encrypt=getattr(settings, "AMTSWEG_TEST_IDP_ENCRYPT", True))
    return render(request, "identity/saml_post.html", {
        "action": pending["acs"],
        "saml_response": base64.b64encode(xml.encode()).decode(),
        "relay_state": pending["relay_state"],
    })


def build_saml_response(server: Server, pending: dict, person: TestPerson, level: str, *, sign: bool = True,
                        encrypt: bool = True) -> str:
    """A BundID-like response: signed response and assertion, assertion encrypted for the SP."""
    identity = {
        saml_sp.OID_BPK2: [person.subject],
        saml_sp.OID_GIVEN_NAME: [person.given_name],
        saml_sp.OID_SURNAME: [person.family_name],
        saml_sp.OID_POSTAL_ADDRESS: [f"{person.street} {person.house_number}"],
        saml_sp.OID_POSTAL_CODE: [person.postcode],
        saml_sp.OID_LOCALITY: [person.city],
        saml_sp.OID_COUNTRY: ["DE"],
        saml_sp.OID_EMAIL: [person.email],
        **({saml_sp.OID_BIRTHDATE: [person.birth_date]} if person.birth_date else {}),
        saml_sp.OID_QAA_LEVEL: [levels.REQUEST_CLASS_REF[level]],
    }
    sp_cert = None
    if encrypt:
        sp_cert = keys.sp_key_pair().cert_base64
    response = server.create_authn_response(
        identity,
        in_response_to=pending["request_id"],
        destination=pending["acs"],
        sp_entity_id=pending["sp"],
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=person.subject),
        authn={"class_ref": levels.REQUEST_CLASS_REF[level], "authn_auth": server.config.entityid},
        sign_response=sign,
        sign_assertion=sign,
        encrypt_assertion=encrypt,
        encrypt_cert_assertion=sp_cert,
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    return str(response)


@register("test-saml")
class TestSamlProvider(saml_sp.SamlProvider):
    """The embedded test IdP (/test-idp/saml/), speaking like BundID. Demo and tests only."""

    label = gettext_lazy("Test-Konto (SAML, wie BundID)")
    description = gettext_lazy("Nur zum Ausprobieren: Anmeldung als Testperson mit wählbarem Vertrauensniveau.")
    is_test_plugin = True

    def is_enabled(self) -> bool:
        return True

    def idp_metadata(self, request: HttpRequest) -> str:
        return saml_idp_metadata(self.sp_base_url(request))

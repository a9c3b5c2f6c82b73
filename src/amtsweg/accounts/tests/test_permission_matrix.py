"""The permission matrix: every staff and API route × every role, with the expected answer written down once.

The routes come from the URLconf, so a new route without a line in `MATRIX` (or in `PUBLIC`, for the pages
and endpoints meant for everybody) fails `test_every_route_is_decided`. Each line names the method, the URL
(built from the objects of `matrix_world`: everything of Kommune A unless it says otherwise) and the answers for
the roles in `ROLES` order:

    anon     nobody logged in
    citizen  a citizen account
    staff    Kommune A's staff (Sachbearbeitung, no second factor)
    admin    Kommune A's administrator (TOTP verified)
    other    the administrator of Kommune B in the same Land (TOTP verified)
    land     the Land operator of that Land (TOTP verified)
    root     a platform superuser (TOTP verified, no Authority)

Answers: an HTTP status ("200", "403", "404", "405", "401") or where a redirect goes: "login" (the staff
login), "otp" (the TOTP code entry), "302" (anywhere else). A staff member of Kommune A who enrolled a
second factor but has not entered it in this session is checked on every staff route as well and must be
sent to the code entry ("otp"; a 403 problem document on the staff API), whatever the line says.

Every request runs in a savepoint that is rolled back, so POST routes really act (as each role) and leave
the world as it was for the next request. One database setup for all routes keeps the whole matrix fast.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsweg.accounts.access import is_staff_path
from amtsweg.accounts.testing import login_staff
from amtsweg.core.problems import is_api_path

ROLES = ("anon", "citizen", "staff", "admin", "other", "land", "root")

# Pages and endpoints for everybody (citizens, anonymous senders of the public APIs, the login itself, the
# embedded test providers): no role decides about them. Staff and tenant APIs never belong here.
PUBLIC = {
    "core:healthz", "core:readyz", "core:sources", "core:imprint", "core:privacy", "core:accessibility",
    "catalogue:home", "catalogue:topic", "catalogue:life_situation", "catalogue:search", "catalogue:service",
    "catalogue:places", "catalogue:municipality",
    "accounts:login", "accounts:totp", "accounts:totp_enrol", "accounts:logout",
    "accounts:password_set",  # opened by the one-time token in the link, not by a role
    "routing:who_is_responsible",
    "assistants:list", "assistants:resume", "assistants:receipt", "assistants:receipt_pdf", "assistants:start",
    "assistants:place", "assistants:step", "assistants:summary", "assistants:saved", "assistants:payment_return",
    "identity:choose", "identity:logout", "identity:start", "identity:saml-acs", "identity:saml-metadata",
    "identity:oidc-callback", "identity:test-idp-saml-metadata", "identity:test-idp-saml-sso",
    "identity:test-idp-oidc-discovery", "identity:test-idp-oidc-authorize", "identity:test-idp-oidc-token",
    "identity:test-idp-oidc-jwks",
    "payments:return", "payments:notify", "payments:tbd-create", "payments:tbd-status", "payments:tbd-pay",
    "submissions:status_help", "submissions:status",
    # the applicant's messages and files: opened by the signed status link, not by a role (postfach/tests)
    "postfach:message", "postfach:attachment", "postfach:notice", "postfach:notice_signature",
    "postfach:data_export",
    # the maturity measurement's open data: aggregates per Kommune, no personal data (maturity/tests)
    "maturity:public_index", "maturity:public_land",
    "set_language",
}

MATRIX: dict[str, tuple[str, str, str]] = {
    # nobody without the configured token or network; with nothing configured not even root (core.metrics)
    "core:metrics": ("GET", "/metrics", "404 404 404 404 404 404 404"),
    # route name: (method, URL, answers for   anon citizen staff admin other land root)
    "accounts:profile": ("GET", "/konto/profil/", "login 403 200 200 200 200 200"),
    "accounts:password_change": ("GET", "/konto/profil/passwort/", "login 403 200 200 200 200 200"),
    "accounts:home": ("GET", "/verwaltung/", "login 403 200 200 200 200 200"),
    "accounts:own_authority": ("GET", "/verwaltung/behoerde/", "login 403 302 302 302 302 302"),
    "accounts:authority_list": ("GET", "/verwaltung/behoerde/alle/", "login 403 403 403 403 200 403"),
    "accounts:authority_create": ("GET", "/verwaltung/behoerde/neu/", "login 403 403 403 403 200 403"),
    "accounts:authority_detail": ("GET", "/verwaltung/behoerde/{authority}/", "login 403 200 200 404 200 200"),
    # the Land fixes a Kommune's public contact data (Authority: LandAccess.WRITE)
    "accounts:authority_edit": ("GET", "/verwaltung/behoerde/{authority}/bearbeiten/", "login 403 404 200 404 200 200"),
    "accounts:account_list": ("GET", "/verwaltung/konten/", "login 403 403 200 200 200 403"),
    # the Land: its own offices' accounts and a Kommune's first administrator only
    "accounts:account_create": ("GET", "/verwaltung/konten/neu/", "login 403 403 200 200 200 403"),
    # a Kommune's accounts are the Kommune's (User: LandAccess.NONE)
    "accounts:account_detail": ("GET", "/verwaltung/konten/{account}/", "login 403 403 200 404 404 403"),
    "accounts:account_deactivate": ("POST", "/verwaltung/konten/{account}/deaktivieren/",
                                    "login 403 403 302 404 404 403"),
    "accounts:account_activate": ("POST", "/verwaltung/konten/{account}/aktivieren/", "login 403 403 302 404 404 403"),
    "accounts:account_reset_totp": ("POST", "/verwaltung/konten/{account}/zweiter-faktor-zuruecksetzen/",
                                    "login 403 403 302 404 404 403"),
    "accounts:audit_log": ("GET", "/verwaltung/protokoll/", "login 403 403 200 200 200 403"),
    "routing:api_routes": ("GET", "/routing-api/v2/routes?ars=100410100100&leikaKey=99102013000000",
                           "200 200 200 200 200 200 200"),
    "routing:api_areas": ("GET", "/routing-api/v2/areas?areaSearchexpression=Saar", "200 200 200 200 200 200 200"),
    "routing:api_info": ("GET", "/routing-api/v2/info", "200 200 200 200 200 200 200"),
    "routing:api_jwks": ("GET", "/routing-api/v2/.well-known/jwks.json", "200 200 200 200 200 200 200"),
    "routing:destinations": ("GET", "/verwaltung/zustellpunkte/", "login 403 200 200 200 200 200"),
    "routing:destination_create": ("GET", "/verwaltung/zustellpunkte/neu/", "login 403 200 200 200 200 200"),
    "routing:destination_bulk_load": ("GET", "/verwaltung/zustellpunkte/sammelimport/",
                                      "login 403 403 403 403 200 403"),
    "routing:staff_api_destinations": ("GET", "/verwaltung/zustellpunkte/api/", "403 403 200 200 200 200 200"),
    "routing:staff_api_destination": ("GET", "/verwaltung/zustellpunkte/api/{destination}/",
                                      "403 403 200 200 404 404 200"),
    # the Land reads a Kommune's destinations (READ) ...
    "routing:destination_detail": ("GET", "/verwaltung/zustellpunkte/{destination}/", "login 403 200 200 404 200 200"),
    # ... but never changes them or their keys
    "routing:destination_edit": ("GET", "/verwaltung/zustellpunkte/{destination}/bearbeiten/",
                                 "login 403 200 200 404 404 200"),
    "routing:destination_key_add": ("GET", "/verwaltung/zustellpunkte/{destination}/schluessel/",
                                    "login 403 200 200 404 404 200"),
    "routing:destination_key_end_grace": (
        "POST", "/verwaltung/zustellpunkte/{destination}/schluessel/{key}/frist-beenden/",
        "login 403 302 302 404 404 302"),
    "routing:destination_secret": ("POST", "/verwaltung/zustellpunkte/{destination}/geheimnis/",
                                   "login 403 302 302 404 404 302"),
    "routing:responsibilities": ("GET", "/verwaltung/zustaendigkeiten/", "login 403 200 200 200 200 200"),
    "routing:responsibility_create": ("GET", "/verwaltung/zustaendigkeiten/neu/", "login 403 200 200 200 200 200"),
    "routing:responsibility_import": ("GET", "/verwaltung/zustaendigkeiten/import/", "login 403 200 200 200 200 200"),
    "routing:responsibility_template": ("GET", "/verwaltung/zustaendigkeiten/import/vorlage.csv",
                                        "login 403 200 200 200 200 200"),
    "routing:responsibility_check": ("GET", "/verwaltung/zustaendigkeiten/pruefen/", "login 403 200 200 200 200 200"),
    "routing:responsibility_delete": ("GET", "/verwaltung/zustaendigkeiten/{responsibility}/loeschen/",
                                      "login 403 200 200 404 404 200"),
    "assistants:staff_list": ("GET", "/verwaltung/formulare/", "login 403 200 200 200 200 200"),
    "assistants:staff_import": ("GET", "/verwaltung/formulare/import/", "login 403 403 403 403 200 200"),
    "assistants:staff_fim": ("GET", "/verwaltung/formulare/fim-import/", "login 403 403 403 403 200 200"),
    "assistants:staff_detail": ("GET", "/verwaltung/formulare/{form}/", "login 403 200 200 200 200 200"),
    "assistants:staff_new_version": ("POST", "/verwaltung/formulare/{form}/neue-version/",
                                     "login 403 403 403 403 302 302"),
    "assistants:staff_edit": ("GET", "/verwaltung/formulare/{form}/v{version}/bearbeiten/",
                              "login 403 403 403 403 302 302"),
    "assistants:staff_publish": ("POST", "/verwaltung/formulare/{form}/v{version}/veroeffentlichen/",
                                 "login 403 403 403 403 302 302"),
    "assistants:staff_export": ("GET", "/verwaltung/formulare/{form}/v{version}/export.json",
                                "login 403 200 200 200 200 200"),
    "assistants:staff_preview": ("GET", "/verwaltung/formulare/{form}/v{version}/vorschau/",
                                 "login 403 200 200 200 200 200"),
    "assistants:staff_preview_step": ("GET", "/verwaltung/formulare/{form}/v{version}/vorschau/{step}/",
                                      "login 403 200 200 200 200 200"),
    "submissions:token": ("POST", "/token", "400 400 400 400 400 400 400"),
    "submissions:jwks": ("GET", "/.well-known/jwks.json", "200 200 200 200 200 200 200"),
    "submissions:api-info": ("GET", "/v1/info", "200 200 200 200 200 200 200"),
    "submissions:api-destination": ("GET", "/v1/destinations/{destination}", "401 401 401 401 401 401 401"),
    "submissions:api-destination-key": ("GET", "/v1/destinations/{destination}/keys/k", "404 404 404 404 404 404 404"),
    "submissions:api-submissions": ("GET", "/v1/submissions", "401 401 401 401 401 401 401"),
    "submissions:api-submission": ("GET", "/v1/submissions/{uuid}", "401 401 401 401 401 401 401"),
    "submissions:api-attachment": ("GET", "/v1/submissions/{uuid}/attachments/{uuid}", "401 401 401 401 401 401 401"),
    "submissions:api-case-events": ("GET", "/v1/cases/{uuid}/events", "401 401 401 401 401 401 401"),
    "submissions:api_clients": ("GET", "/verwaltung/api-clients/", "login 403 403 200 200 200 200"),
    # the Land's form offers only the Land's own destinations
    "submissions:api_client_create": ("GET", "/verwaltung/api-clients/neu/subscriber/",
                                      "login 403 403 200 200 200 200"),
    # API clients of a Kommune: LandAccess.NONE; the secret is no longer in the session, so no role sees it
    "submissions:api_client_created": ("GET", "/verwaltung/api-clients/{client}/angelegt/",
                                       "login 403 403 200 404 404 200"),
    # API clients of a Kommune: LandAccess.NONE
    "submissions:api_client_revoke": ("POST", "/verwaltung/api-clients/{client}/sperren/",  # asks first: 200
                                      "login 403 403 200 404 404 200"),
    "delivery:list": ("GET", "/verwaltung/zustellung/", "login 403 200 200 200 200 200"),
    # delivery orders of a Kommune: LandAccess.NONE
    "delivery:resend": ("POST", "/verwaltung/zustellung/{message}/erneut-senden/", "login 403 302 302 404 404 302"),
    # the back office: a Kommune's cases are the Kommune's (Case: LandAccess.NONE; other Kommune: 404)
    "casework:inbox": ("GET", "/verwaltung/sachbearbeitung/", "login 403 200 200 200 200 200"),
    # Fristen: every staff role gets the page, with the cases it may work on only (other Kommune: none)
    "casework:deadlines": ("GET", "/verwaltung/sachbearbeitung/fristen/", "login 403 200 200 200 200 200"),
    "casework:bulk_assign": ("POST", "/verwaltung/sachbearbeitung/zuweisen/", "login 403 302 302 302 302 302"),
    "casework:case": ("GET", "/verwaltung/sachbearbeitung/vorgang/{case}/", "login 403 200 200 404 404 200"),
    "casework:case_state": ("POST", "/verwaltung/sachbearbeitung/vorgang/{case}/status/",
                            "login 403 302 302 404 404 302"),
    "casework:case_assign": ("POST", "/verwaltung/sachbearbeitung/vorgang/{case}/zuweisen/",
                             "login 403 302 302 404 404 302"),
    # no other authority is responsible in the matrix world: the form's answer is a redirect with a message
    "casework:case_forward": ("POST", "/verwaltung/sachbearbeitung/vorgang/{case}/weiterleiten/",
                              "login 403 302 302 404 404 302"),
    "casework:case_note": ("POST", "/verwaltung/sachbearbeitung/vorgang/{case}/notiz/",
                           "login 403 302 302 404 404 302"),
    "casework:attachment": ("GET", "/verwaltung/sachbearbeitung/vorgang/{case}/anlage/{case_attachment}/",
                            "login 403 200 200 404 404 200"),
    # exports of a case: its Authority's staff (and team); the e-Akte only of a decided or closed case (an open
    # one is sent back to the case page with a message: 302)
    "casework:case_data_export": ("GET", "/verwaltung/sachbearbeitung/vorgang/{case}/auskunft.zip",
                                  "login 403 200 200 404 404 200"),
    "casework:case_archive": ("GET", "/verwaltung/sachbearbeitung/vorgang/{closed_case}/e-akte.zip",
                              "login 403 200 200 404 404 200"),
    # teams and per-service settings: the administrator of one's own Authority (Kommune admin, the Land
    # operator for the Land's own office); another Authority's team or service answers 404
    "casework:teams": ("GET", "/verwaltung/sachbearbeitung/teams/", "login 403 403 200 200 200 403"),
    "casework:team": ("GET", "/verwaltung/sachbearbeitung/teams/{team}/", "login 403 403 200 404 404 403"),
    "casework:services": ("GET", "/verwaltung/sachbearbeitung/leistungen/", "login 403 403 200 200 200 403"),
    "casework:service": ("GET", "/verwaltung/sachbearbeitung/leistungen/99102013000000/",
                         "login 403 403 200 404 404 403"),
    # choosing the receiving system decides who holds the keys: administrators, for their own destinations
    "casework:receiving": ("GET", "/verwaltung/sachbearbeitung/empfangssystem/", "login 403 403 200 200 200 200"),
    "casework:receiving_switch": ("POST", "/verwaltung/sachbearbeitung/empfangssystem/{destination}/",
                                  "login 403 403 302 404 404 302"),
    "shop:index": ("GET", "/verwaltung/shop/", "login 403 403 200 200 403 403"),
    "shop:subscriptions": ("GET", "/verwaltung/shop/anschluesse/", "login 403 403 200 200 403 403"),
    "shop:configure": ("GET", "/verwaltung/shop/anschluss/{subscription}/einrichten/", "login 403 403 200 404 403 403"),
    "shop:review": ("GET", "/verwaltung/shop/anschluss/{subscription}/pruefen/", "login 403 403 200 404 403 403"),
    "shop:end": ("GET", "/verwaltung/shop/anschluss/{subscription}/beenden/", "login 403 403 200 404 403 403"),
    "shop:offer": ("GET", "/verwaltung/shop/{offer}/", "login 403 403 200 200 403 403"),
    "shop:order": ("GET", "/verwaltung/shop/{offer}/bestellen/", "login 403 403 200 200 403 403"),
    "shop:agreement-pdf": ("GET", "/verwaltung/shop/{offer}/nachnutzungsvereinbarung.pdf",
                           "login 403 403 200 200 403 403"),
    "shop:avv-pdf": ("GET", "/verwaltung/shop/{offer}/avv.pdf", "login 403 403 200 200 403 403"),
    "shop:land-offers": ("GET", "/land/angebote/", "login 403 403 403 403 200 403"),
    "shop:land-offer": ("GET", "/land/angebote/{offer}/", "login 403 403 403 403 200 403"),
    "shop:land-allow-early-end": ("POST", "/land/anschluesse/{subscription}/vorzeitiges-ende/",
                                  "login 403 403 403 403 302 403"),
    "shop:land-offer-export": ("GET", "/land/angebote/{offer}/export.csv", "login 403 403 403 403 200 403"),
    "shop:land-offer-remind": ("POST", "/land/angebote/{offer}/erinnern/", "login 403 403 403 403 302 403"),
    "shop:land-onboarding": ("GET", "/land/anschluesse/import/", "login 403 403 403 403 200 403"),
    "shop:land-onboarding-template": ("GET", "/land/anschluesse/import/vorlage.csv", "login 403 403 403 403 200 403"),
    "shop:land-costs": ("GET", "/land/kosten/", "login 403 403 403 403 200 403"),
    "shop:api-offers": ("GET", "/api/shop/v1/offers", "200 200 200 200 200 200 200"),
    "shop:api-subscriptions": ("GET", "/api/shop/v1/subscriptions", "200 200 200 200 200 200 200"),
    # "Wie digital ist unsere Kommune?": the staff of a Kommune see their own area only (a Land operator is sent
    # to the Land's page, an account without a Kommune finds nothing)
    "maturity:kommune": ("GET", "/verwaltung/reifegrad/", "login 403 200 200 200 302 404"),
    "maturity:service": ("GET", "/verwaltung/reifegrad/leistung/{ozg_service}/", "login 403 200 200 200 404 404"),
    "maturity:declare": ("GET", "/verwaltung/reifegrad/erklaeren/", "login 403 200 200 200 404 404"),
    # a declaration is the Kommune's: another Kommune and the Land (READ) cannot withdraw it
    "maturity:withdraw": ("POST", "/verwaltung/reifegrad/erklaert/{declared}/zurueckziehen/",
                          "login 403 302 302 404 404 302"),
    "maturity:land": ("GET", "/land/reifegrad/", "login 403 403 403 403 200 403"),
    "maturity:land_csv": ("GET", "/land/reifegrad/export.csv", "login 403 403 403 403 200 403"),
    "maturity:land_json": ("GET", "/land/reifegrad/export.json", "login 403 403 403 403 200 403"),
    "maturity:api_lands": ("GET", "/api/maturity/v1/lands", "200 200 200 200 200 200 200"),
    "maturity:api_land": ("GET", "/api/maturity/v1/lands/{land_code}", "200 200 200 200 200 200 200"),
    "maturity:api_land_csv": ("GET", "/api/maturity/v1/lands/{land_code}/areas.csv", "200 200 200 200 200 200 200"),
    "api-schema": ("GET", "/api/schema/", "200 200 200 200 200 200 200"),
    # the Django admin: superusers only (others are sent to its login, which is the staff login)
    "admin": ("GET", "/django-admin/", "302 302 302 302 302 302 200"),
    # "Meine Anträge": every role gets the page, but only a citizen login lists applications (its own)
    "postfach:index": ("GET", "/postfach/", "200 200 200 200 200 200 200"),
    # a case's correspondence: its Authority's staff only (Message: LandAccess.NONE; teams in postfach/tests)
    "postfach:case_messages": ("GET", "/verwaltung/postfach/{case}/", "login 403 200 200 404 404 200"),
    "postfach:case_attachment": ("GET", "/verwaltung/postfach/{case}/anlagen/{uuid}/",
                                 "login 403 404 404 404 404 404"),
    "postfach:case_notice": ("GET", "/verwaltung/postfach/{case}/bescheid/", "login 403 200 200 404 404 200"),
    "postfach:case_notice_document": ("GET", "/verwaltung/postfach/{case}/bescheid/{uuid}.pdf",
                                      "login 403 404 404 404 404 404"),
    # Bescheid templates: each Authority its own (LandAccess.NONE); every staff role keeps its own list
    "postfach:templates": ("GET", "/verwaltung/bescheidvorlagen/", "login 403 200 200 200 200 200"),
    "postfach:template_edit": ("GET", "/verwaltung/bescheidvorlagen/{notice_template}/",
                               "login 403 200 200 404 404 200"),
}


def _routes(patterns=None, prefix: str = "", namespace: str | None = None):
    """(name, route) for every URL pattern; the Django admin counts as one route, "admin"."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if getattr(pattern, "app_name", None) == "admin":
                yield "admin", prefix + str(pattern.pattern)
                continue
            inner = pattern.namespace or namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), prefix + str(pattern.pattern)


def test_every_route_is_decided():
    names = [name for name, _route in _routes()]
    assert None not in names, "every route needs a name to be in the permission matrix"
    undecided = sorted(set(names) - set(MATRIX) - PUBLIC)
    assert not undecided, f"add these routes to MATRIX (or PUBLIC) in {__file__}: {undecided}"
    assert not set(MATRIX) & PUBLIC
    stale = sorted((set(MATRIX) | PUBLIC) - set(names))
    assert not stale, f"routes that no longer exist: {stale}"
    for name, route in _routes():
        if is_staff_path("/" + route) or is_api_path("/" + route):
            assert name in MATRIX, f"{name} is a staff or API route: it needs a line in MATRIX"


def answer(response) -> str:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        for start, label in (("/konto/anmelden/code/", "otp"), ("/konto/anmelden/einrichten/", "enrol"),
                             ("/konto/anmelden/", "login")):
            if location.startswith(start):
                return label
        return "302"
    return str(response.status_code)


@pytest.fixture
def matrix_world(db, settings):
    from amtsweg.accounts.models import User
    from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
    from amtsweg.assistants.tests.factories import FormVersionFactory
    from amtsweg.delivery.tests.factories import OutboxMessageFactory
    from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory
    from amtsweg.shop.tests.factories import OfferFactory, SubscriptionFactory
    from amtsweg.submissions.tests.factories import ApiClientFactory

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    kommune_a = AuthorityFactory(name="Bürgeramt A")
    kommune_b = AuthorityFactory(name="Bürgeramt B")
    land_office = AuthorityFactory(land_office=True)
    users = {
        "citizen": UserFactory(citizen=True),
        "staff": UserFactory(authority=kommune_a),
        "admin": UserFactory(authority=kommune_a, kommune_admin=True),
        "other": UserFactory(authority=kommune_b, kommune_admin=True),
        "land": UserFactory(land_operator=True, authority=land_office),
        "root": UserFactory(is_superuser=True, is_staff=True, authority=None, role=User.Role.KOMMUNE_STAFF),
        "enrolled": UserFactory(authority=kommune_a),
    }
    TOTPDevice.objects.create(user=users["root"], name="Authenticator", confirmed=True)
    TOTPDevice.objects.create(user=users["enrolled"], name="Authenticator", confirmed=True)
    destination = DestinationFactory(authority=kommune_a)
    version = FormVersionFactory(published=True)
    offer = OfferFactory(land_code=kommune_a.land_code)
    objects = {
        "authority": kommune_a.pk,
        "account": users["staff"].pk,
        "destination": destination.pk,
        "key": destination.keys.get().pk,
        "responsibility": ResponsibilityFactory(destination=destination).pk,
        "client": ApiClientFactory(subscriber_for=destination).pk,
        "message": OutboxMessageFactory(dead=True, authority=kommune_a).pk,
        "subscription": SubscriptionFactory(offer=offer, authority=kommune_a, live=True).pk,
        "offer": offer.slug,
        "form": version.form.slug,
        "version": version.number,
        "step": version.definition["steps"][0]["id"],
        "uuid": uuid.uuid4(),
        **_casework_objects(destination),
        "notice_template": _notice_template(kommune_a),
        **_maturity_objects(kommune_a, kommune_b),
    }
    clients = {"anon": Client()}
    for role, user in users.items():
        clients[role] = Client()
        if role in ("citizen", "staff", "enrolled"):
            clients[role].force_login(user)  # password only: the enrolled staff member skipped the code
        else:
            login_staff(clients[role], user)
    return clients, objects


def _casework_objects(destination) -> dict:
    from amtsweg.casework.models import Case
    from amtsweg.casework.tests.factories import CaseFactory, TeamFactory, case_with_attachment

    case, attachment_id = case_with_attachment(destination)
    closed = CaseFactory(destination=destination, state=Case.State.CLOSED, decision=Case.Decision.APPROVED)
    return {"case": case.pk, "case_attachment": attachment_id, "closed_case": closed.pk,
            "team": TeamFactory(authority=destination.authority).pk}


def _maturity_objects(kommune_a, kommune_b) -> dict:
    """Both Kommunen measured (their areas), one relevant OZG-Leistung and Kommune A's declaration of it."""
    from amtsweg.catalogue.tests.factories import OzgServiceFactory
    from amtsweg.maturity.models import Area, Cell, DeclaredService, ServiceRelevance

    service = OzgServiceFactory()
    ServiceRelevance.objects.create(service=service, municipal_leika=1)
    for authority in (kommune_a, kommune_b):
        area, _new = Area.objects.get_or_create(ars=authority.area_ars, defaults={
            "kind": Area.Kind.GEMEINDE, "name": authority.name, "land_code": authority.land_code,
            "district_code": authority.area_ars[:5], "population": 8000, "size_class": 2})
        Cell.objects.create(area=area, service=service, facts=1, level_v2=1, level_v11=1, authority=authority)
    declared = DeclaredService.objects.create(authority=kommune_a, service=service, level_v11=3,
                                              url="https://kommune-a.example/antrag",
                                              declared_on=datetime.date(2026, 1, 1), evidence="Prüfbericht")
    return {"ozg_service": service.pk, "declared": declared.pk, "land_code": kommune_a.land_code}


def _notice_template(authority) -> int:
    from amtsweg.postfach.models import NoticeTemplate

    return NoticeTemplate.objects.create(authority=authority, leika_key="99102013000000", name="Standard",
                                         title="Bescheid", body="Ihr Antrag $vorgangsnummer").pk


def _ask(client: Client, method: str, url: str) -> str:
    with transaction.atomic():
        response = client.post(url) if method == "POST" else client.get(url)
        transaction.set_rollback(True)
    return answer(response)


def test_every_route_answers_each_role_as_written_down(matrix_world):
    clients, objects = matrix_world
    wrong = []
    for name, (method, url_template, expected) in sorted(MATRIX.items()):
        url = url_template.format(**objects)
        expected_answers = expected.split()
        assert len(expected_answers) == len(ROLES), name
        got = [_ask(clients[role], method, url) for role in ROLES]
        if got != expected_answers:
            wrong.append(f"{name:40} {method:4} {url}\n    expected {' '.join(expected_answers)}\n"
                         f"    got      {' '.join(got)}")
        if is_staff_path(url):
            want = "403" if is_api_path(url) else "otp"
            enrolled = _ask(clients["enrolled"], method, url)
            if enrolled != want:
                wrong.append(f"{name:40} enrolled staff without the code: {enrolled}, expected {want}")
    assert not wrong, "\n".join(wrong)

"""Staff pages and staff API: tenant isolation, one-time secret, private keys never stored or echoed;
the citizen page "Wer ist zuständig?"."""

import json
import re

import pytest
from django.contrib.auth.models import AnonymousUser

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.catalogue.tests.factories import PublicServiceFactory
from amtsweg.routing import links
from amtsweg.routing.links import OnlineServiceLink
from amtsweg.routing.models import Destination, DestinationKey, Responsibility
from amtsweg.routing.tests.factories import cached_keypair, public_jwk

pytestmark = pytest.mark.django_db
KEY = "99102013000000"


@pytest.fixture
def sb_staff(offices):
    return UserFactory(authority=offices["sb"].authority)


@pytest.fixture
def vk_staff(offices):
    return UserFactory(authority=offices["vk"].authority)


def test_staff_pages_need_a_staff_login(client, offices):
    response = client.get("/verwaltung/zustellpunkte/")
    assert response.status_code == 302 and "/konto/anmelden/" in response["Location"]
    citizen = UserFactory(citizen=True)
    client.force_login(citizen)
    assert client.get("/verwaltung/zustellpunkte/").status_code == 403


def test_staff_see_only_their_own_destinations(client, offices, sb_staff):
    login_staff(client, sb_staff)
    page = client.get("/verwaltung/zustellpunkte/").content.decode()
    assert offices["sb"].name in page and offices["vk"].name not in page
    assert client.get(f"/verwaltung/zustellpunkte/{offices['sb'].pk}/").status_code == 200


def test_another_kommune_cannot_view_or_change_a_destination(client, offices, vk_staff):
    login_staff(client, vk_staff)
    sb = offices["sb"]
    base = f"/verwaltung/zustellpunkte/{sb.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/bearbeiten/").status_code == 404
    response = client.post(f"{base}/bearbeiten/", {"name": "Gekapert", "channels": ["pull"], "status": "active"})
    assert response.status_code == 404
    response = client.post(f"{base}/schluessel/", {"purpose": "encryption", "grace_days": 0,
                                                    "jwk": json.dumps(public_jwk("encryption", "evil-key-0001"))})
    assert response.status_code == 404
    assert client.post(f"{base}/geheimnis/").status_code == 404
    sb.refresh_from_db()
    assert sb.name != "Gekapert"
    assert not DestinationKey.objects.filter(kid="evil-key-0001").exists()


def test_another_kommune_cannot_use_the_staff_api_on_a_foreign_destination(client, offices, vk_staff, sb_staff):
    url = f"/verwaltung/zustellpunkte/api/{offices['sb'].pk}/"
    login_staff(client, vk_staff)
    assert client.get(url).status_code == 404
    response = client.patch(url, json.dumps({"name": "Gekapert"}), content_type="application/json")
    assert response.status_code in (403, 404)
    listing = client.get("/verwaltung/zustellpunkte/api/").json()
    assert [d["destinationId"] for d in listing["destinations"]] == [str(offices["vk"].pk)]
    client.logout()
    assert client.get(url).status_code == 403
    login_staff(client, sb_staff)
    body = client.get(url).json()
    assert body["destinationId"] == str(offices["sb"].pk)
    assert "callbackSecret" not in body and offices["sb"].callback_secret not in json.dumps(body)


def test_staff_api_patch_changes_own_destination(client, offices, sb_staff):
    from django.test import Client

    api_client = Client(enforce_csrf_checks=False)
    login_staff(api_client, sb_staff)
    url = f"/verwaltung/zustellpunkte/api/{offices['sb'].pk}/"
    response = api_client.patch(url, json.dumps({"status": "inactive"}), content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "inactive"
    response = api_client.patch(url, json.dumps({"callbackSecret": "x"}), content_type="application/json")
    assert response.status_code == 400


def test_create_destination_shows_the_secret_once(client, saarland, offices, sb_staff):
    login_staff(client, sb_staff)
    response = client.post("/verwaltung/zustellpunkte/neu/", {
        "authority": sb_staff.authority_id, "name": "Hundesteuerstelle", "channels": ["pull"],
        "encryption_key": json.dumps(public_jwk("encryption", "ui-key-000001")),
    })
    assert response.status_code == 302
    destination = Destination.objects.get(name="Hundesteuerstelle")
    first = client.get(response["Location"]).content.decode()
    assert destination.callback_secret in first
    second = client.get(response["Location"]).content.decode()
    assert destination.callback_secret not in second


def test_pasted_private_key_is_refused_never_stored_nor_echoed(client, saarland, offices, sb_staff):
    login_staff(client, sb_staff)
    private = cached_keypair(0).as_dict(private=True) | {"kid": "private-0001", "alg": "RSA-OAEP-256",
                                                         "key_ops": ["wrapKey"]}
    response = client.post("/verwaltung/zustellpunkte/neu/", {
        "authority": sb_staff.authority_id, "name": "Versehen", "channels": ["pull"],
        "encryption_key": json.dumps(private),
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "privater Schlüssel" in page
    assert private["d"][:20] not in page and private["p"][:20] not in page
    assert not Destination.objects.filter(name="Versehen").exists()
    # also on rotation, as PEM
    pem = cached_keypair(0).as_pem(private=True).decode()
    response = client.post(f"/verwaltung/zustellpunkte/{offices['sb'].pk}/schluessel/",
                           {"purpose": "encryption", "grace_days": 30, "jwk": pem})
    page = response.content.decode()
    assert "privater Schlüssel" in page and pem.splitlines()[1][:30] not in page
    assert DestinationKey.objects.filter(destination=offices["sb"]).count() == 1


def test_each_key_defect_is_shown_in_german(client, saarland, offices, sb_staff):
    login_staff(client, sb_staff)
    response = client.post(f"/verwaltung/zustellpunkte/{offices['sb'].pk}/schluessel/", {
        "purpose": "encryption", "grace_days": 30,
        "jwk": json.dumps({**public_jwk("encryption", "new-key-0003"), "alg": "RS256"})})
    assert "Unbekannter Algorithmus" in response.content.decode()
    response = client.post(f"/verwaltung/zustellpunkte/{offices['sb'].pk}/schluessel/", {
        "purpose": "encryption", "grace_days": 30, "jwk": json.dumps(public_jwk("encryption", "new-key-0003",
                                                                                 number=1))})
    assert response.status_code == 302
    assert offices["sb"].active_encryption_key().kid == "new-key-0003"


def test_responsibility_pages_are_scoped(client, hundesteuer, sb_staff, vk_staff):
    login_staff(client, vk_staff)
    page = client.get("/verwaltung/zustaendigkeiten/").content.decode()
    assert "100410100100" not in page
    assert client.get(f"/verwaltung/zustaendigkeiten/{hundesteuer['sb'].pk}/loeschen/").status_code == 404
    assert client.post(f"/verwaltung/zustaendigkeiten/{hundesteuer['sb'].pk}/loeschen/").status_code == 404
    assert Responsibility.objects.filter(pk=hundesteuer["sb"].pk).exists()
    client.logout()
    login_staff(client, sb_staff)
    assert "100410100100" in client.get("/verwaltung/zustaendigkeiten/").content.decode()


def test_responsibility_create_conflict_is_shown(client, hundesteuer, offices, sb_staff):
    login_staff(client, sb_staff)
    response = client.post("/verwaltung/zustaendigkeiten/neu/", {
        "leika_key": KEY, "area_ars": "100410100100", "destination": offices["sb"].pk})
    assert "schon eine Zuständigkeit" in response.content.decode()
    response = client.post("/verwaltung/zustaendigkeiten/neu/", {
        "leika_key": "99115004001005", "area_ars": "100410100100", "destination": offices["sb"].pk})
    assert response.status_code == 302


def test_csv_import_page_shows_the_report(client, offices, sb_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login_staff(client, sb_staff)
    csv = f"leika_key,area_ars,destination_id\n{KEY},100410100100,{offices['sb'].pk}\n123,100410100100,x\n"
    response = client.post("/verwaltung/zustaendigkeiten/import/",
                           {"file": SimpleUploadedFile("z.csv", csv.encode(), "text/csv")})
    page = response.content.decode()
    assert "Prüfbericht" in page and "kein gültiger Leistungsschlüssel" in page
    assert not Responsibility.objects.exists()


def test_land_operator_bulk_load_page(client, saarland, offices):
    from django.core.files.uploadedfile import SimpleUploadedFile

    operator = UserFactory(land_operator=True, authority=offices["land"].authority)
    login_staff(client, operator)
    entries = [{"authorityId": offices["land"].authority_id, "name": "Zweiter Zustellpunkt",
                "encryptionKey": public_jwk("encryption", "bulk-ui-0001")}]
    response = client.post("/verwaltung/zustellpunkte/sammelimport/",
                           {"file": SimpleUploadedFile("d.json", json.dumps(entries).encode())})
    assert response.status_code == 200
    assert Destination.objects.filter(name="Zweiter Zustellpunkt").exists()
    staff = UserFactory(authority=offices["sb"].authority)
    client.logout()
    login_staff(client, staff)
    assert client.get("/verwaltung/zustellpunkte/sammelimport/").status_code == 403


def test_land_operator_reads_but_never_changes_a_kommunes_destination(client, offices):
    """Issue 12.1: the key form of a Kommune's destination accepted the Land's key."""
    operator = UserFactory(land_operator=True, authority=offices["land"].authority)
    login_staff(client, operator)
    sb = offices["sb"]
    base = f"/verwaltung/zustellpunkte/{sb.pk}/"
    assert client.get(base).status_code == 200
    response = client.post(base + "schluessel/", {"purpose": "encryption", "grace_days": 30,
                                                  "jwk": json.dumps(public_jwk("encryption", "land-0001", number=1))})
    assert response.status_code == 404
    assert client.post(base + "bearbeiten/", {"name": "X", "channels": ["pull"], "status": "active"}).status_code == 404
    assert client.post(base + "geheimnis/").status_code == 404
    api = client.patch(f"/verwaltung/zustellpunkte/api/{sb.pk}/", {"name": "X"}, content_type="application/json")
    assert api.status_code == 404
    form = client.get("/verwaltung/zustellpunkte/neu/").content.decode()
    assert sb.authority.name not in form and offices["land"].authority.name in form
    sb.refresh_from_db()
    assert sb.name != "X" and sb.keys.count() == 1


def test_read_only_destination_page_offers_no_controls(client, offices, sb_staff):
    """Walk finding after issue 12: the Land operator saw "Bearbeiten", the secret button and the key form
    on a Kommune's destination, each leading to a 404. Read-only shows none; the Kommune's staff see them."""
    sb = offices["sb"]
    base = f"/verwaltung/zustellpunkte/{sb.pk}/"
    controls = [base + "bearbeiten/", base + "geheimnis/", base + "schluessel/", "frist-beenden"]
    login_staff(client, UserFactory(land_operator=True, authority=offices["land"].authority))
    page = client.get(base).content.decode()
    assert [url for url in controls if url in page] == []
    assert "Schlüssel wechseln" not in page and "Neues Callback-Geheimnis erzeugen" not in page
    listing = client.get("/verwaltung/zustellpunkte/").content.decode()
    assert base + "bearbeiten/" not in listing
    client.logout()
    login_staff(client, sb_staff)
    page = client.get(base).content.decode()
    assert all(url in page for url in controls[:3])
    assert "Schlüssel wechseln" in page and "Neues Callback-Geheimnis erzeugen" in page


def test_check_page(client, hundesteuer, sb_staff):
    login_staff(client, sb_staff)
    page = client.get("/verwaltung/zustaendigkeiten/pruefen/", {"leika_key": KEY, "place": "66111"}).content.decode()
    assert hundesteuer["sb"].authority.name in page


# --- citizen page ------------------------------------------------------------------------------------


@pytest.fixture
def hundesteuer_service(db):
    return PublicServiceFactory(hundesteuer=True)


def test_citizen_searches_a_service_then_a_place(client, hundesteuer, hundesteuer_service):
    page = client.get("/zustaendigkeit/", {"leistung": "hund"}).content.decode()
    assert "Hundesteuer" in page and f"?key={KEY}" in page
    page = client.get("/zustaendigkeit/", {"key": KEY, "ort": "66111"}).content.decode()
    authority = hundesteuer["sb"].authority
    assert authority.name in page and authority.email in page and authority.phone in page


def test_citizen_chooses_the_gemeinde_for_an_ambiguous_postcode(client, hundesteuer, hundesteuer_service):
    page = client.get("/zustaendigkeit/", {"key": KEY, "ort": "66333"}).content.decode()
    assert "Welche Gemeinde meinen Sie?" in page
    assert "ars=100410519519" in page and "Völklingen" in page
    page = client.get("/zustaendigkeit/", {"key": KEY, "ort": "66333", "ars": "100410519519"}).content.decode()
    assert hundesteuer["kreis"].authority.name in page


def test_citizen_gets_a_clear_answer_for_unknown_places(client, hundesteuer, hundesteuer_service):
    page = client.get("/zustaendigkeit/", {"key": KEY, "ort": "Atlantis"}).content.decode()
    assert "nicht bekannt" in page and "aria-invalid" in page
    page = client.get("/zustaendigkeit/", {"leistung": "xyzxyz"}).content.decode()
    assert "Keine Leistung gefunden" in page


def test_no_responsibility_message(client, saarland, hundesteuer_service):
    page = client.get("/zustaendigkeit/", {"key": KEY, "ort": "Merzig"}).content.decode()
    assert "Keine zuständige Stelle eingetragen" in page


def test_no_responsibility_answers_citizens_in_words_without_keys(client, saarland, hundesteuer_service):
    """Issue 16, item 3: the answer named the LeiKa key and the ARS, e.g. "(110000000000)"."""
    page = client.get("/zustaendigkeit/", {"key": KEY, "ort": "Merzig"}).content.decode()
    alert = page[page.index("Keine zuständige Stelle eingetragen"):]
    alert = alert[:alert.index("</div>", alert.index("kern-alert__body"))]
    assert f"Für „{hundesteuer_service.name}“ ist für Merzig, Kreisstadt keine zuständige Stelle eingetragen" in alert
    assert KEY not in alert and not re.search(r"\(\d{12}\)", alert)


def test_online_link_providers(client, hundesteuer, hundesteuer_service):
    def provider(leika_key, authority, municipality_ars):
        if leika_key == KEY and municipality_ars == "100410100100":
            return [OnlineServiceLink("Hundesteuer online", "/shop/hundesteuer/")]
        return []

    with links.register.registered("test", provider):
        page = client.get("/zustaendigkeit/", {"key": KEY, "ort": "66111"}).content.decode()
    assert "Online beantragen" in page and "/shop/hundesteuer/" in page


def test_key_fields_refuse_oversized_input_before_parsing(offices):
    """Walk finding after issue 12: staff text fields had no maximum length."""
    from amtsweg.routing.forms import JWK_MAX_LENGTH, DestinationForm, KeyRotationForm

    huge = "x" * (JWK_MAX_LENGTH + 1)
    form = KeyRotationForm({"purpose": "encryption", "grace_days": 0, "jwk": huge}, destination=offices["sb"])
    assert not form.is_valid() and f"höchstens {JWK_MAX_LENGTH} Zeichen" in form.errors["jwk"][0]
    form = DestinationForm({"name": "X", "channels": ["pull"], "encryption_key": huge, "signature_key": huge,
                            "callback_url": "https://x.example/" + "a" * 300}, user=AnonymousUser())
    assert not form.is_valid()
    assert {"encryption_key", "signature_key", "callback_url"} <= set(form.errors)
    assert f'maxlength="{JWK_MAX_LENGTH}"' in str(form["encryption_key"])


def test_each_key_shows_whether_its_certificate_chain_is_valid(client, offices, sb_staff):
    """Issue 15, item 4: staff see which keys were registered without a valid x5c chain, so they replace them."""
    from amtsweg.routing.tests.factories import DestinationKeyFactory

    sb = offices["sb"]  # its key comes from the factory, with the demo PKI's chain
    DestinationKeyFactory(destination=sb, kid="ohne-kette-0001", jwk=public_jwk("signature", "ohne-kette-0001"),
                          purpose=DestinationKey.Purpose.SIGNATURE)
    login_staff(client, sb_staff)
    page = client.get(f"/verwaltung/zustellpunkte/{sb.pk}/").content.decode()
    assert "Zertifikatskette (x5c)" in page
    assert page.count(">geprüft<") == 1
    row = page[page.index("ohne-kette-0001"):]
    assert "nicht gültig" in row[:2000] and "Die Zertifikatskette (x5c) fehlt." in row[:2000]


def test_bulk_load_errors_name_the_line_and_field_in_formal_german(client, saarland, offices):
    """Issue 16: a bad callback address said only Django's informal "Gib eine gültige URL ein."."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    operator = UserFactory(land_operator=True, authority=offices["land"].authority)
    login_staff(client, operator)
    entries = [{"authorityId": offices["land"].authority_id, "name": "Gut",
                "encryptionKey": public_jwk("encryption", "bulk-ui-0101")},
               {"authorityId": offices["land"].authority_id, "name": "Kaputt", "channels": ["callback"],
                "callbackUrl": "kein url", "encryptionKey": public_jwk("encryption", "bulk-ui-0102")}]
    text = json.dumps(entries, indent=2)
    line = [n for n, row in enumerate(text.splitlines(), start=1) if row == "  {"][1]  # the second entry's start
    page = client.post("/verwaltung/zustellpunkte/sammelimport/",
                       {"file": SimpleUploadedFile("d.json", text.encode())}).content.decode()
    assert "Gib eine" not in page
    assert f"Eintrag 2: Zeile {line}, Feld „callbackUrl“: Callback-Adresse (HTTPS): Bitte geben Sie eine gültige " \
           "https-Adresse an" in page
    assert not Destination.objects.filter(name__in=["Gut", "Kaputt"]).exists()


def test_entry_lines_find_where_each_entry_starts():
    from amtsweg.routing import services

    assert services.entry_lines('[\n {"a": 1},\n\n {"b": [1,\n 2]}, {"c": 3}\n]') == [2, 4, 5]
    assert services.entry_lines('{"a": 1}') == [] and services.entry_lines('[{"a": }]') == []


def test_staff_selects_have_kerns_select_wrapper(client, hundesteuer, offices, sb_staff):
    """Issue 16 ("Konto anlegen"): selects rendered by the shared field template lacked KERN's wrapper."""
    login_staff(client, sb_staff)
    page = client.get("/verwaltung/zustaendigkeiten/neu/").content.decode()
    selects = re.findall(r"(.{0,60})<select[^>]*>", page, flags=re.DOTALL)
    assert selects
    for before in selects:
        assert before.rstrip().endswith('<div class="kern-form-input__select-wrapper">'), before

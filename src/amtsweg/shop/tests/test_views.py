from datetime import date

import pytest

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.catalogue.tests.factories import PublicServiceFactory
from amtsweg.routing.tests.factories import DestinationFactory
from amtsweg.shop.models import AgreementAcceptance, Subscription
from amtsweg.shop.tests.factories import OfferFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_admin(client):
    user = UserFactory(kommune_admin=True)
    login_staff(client, user)
    return user


def test_full_order_flow_over_http(client, signed_in_admin):
    offer = OfferFactory(name="Hundesteuer online", public_services=[PublicServiceFactory(hundesteuer=True)])
    destination = DestinationFactory(authority=signed_in_admin.authority, name="Steueramt Postfach")
    page = client.get("/verwaltung/shop/")
    assert "Hundesteuer online" in page.text and "verfügbar" in page.text

    resp = client.post(f"/verwaltung/shop/{offer.slug}/bestellen/", {"agreement_version": 1})
    assert resp.status_code == 200 and "Bitte bestätigen Sie" in resp.text  # checkbox not ticked
    resp = client.post(f"/verwaltung/shop/{offer.slug}/bestellen/", {"agreement_version": 1, "accept": "on"})
    sub = Subscription.objects.get(offer=offer, authority=signed_in_admin.authority)
    assert resp.status_code == 302 and resp.url == f"/verwaltung/shop/anschluss/{sub.pk}/einrichten/"
    assert AgreementAcceptance.objects.get(subscription=sub).accepted_by == signed_in_admin

    resp = client.post(resp.url, {"office_name": "Steueramt", "contact_email": "kein-mail", "destination": ""})
    assert "gültige E-Mail-Adresse" in resp.text and "Zustellpunkt" in resp.text
    resp = client.post(f"/verwaltung/shop/anschluss/{sub.pk}/einrichten/", {
        "office_name": "Steueramt", "contact_email": "steuer@kommune.example", "local_fee": "12,50",
        "destination": str(destination.pk)})
    assert resp.status_code == 302
    sub.refresh_from_db()
    assert sub.local_fee_cents == 1250 and sub.status == Subscription.Status.CONFIGURED

    resp = client.post(f"/verwaltung/shop/anschluss/{sub.pk}/pruefen/", {"live_since": date.today().isoformat()})
    assert resp.status_code == 302
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.LIVE


def test_changed_agreement_during_order_is_not_accepted(client, signed_in_admin):
    offer = OfferFactory()
    from amtsweg.shop.tests.factories import AgreementVersionFactory

    AgreementVersionFactory(offer=offer, version=2, text="Fassung 2")
    resp = client.post(f"/verwaltung/shop/{offer.slug}/bestellen/", {"agreement_version": 1, "accept": "on"})
    assert resp.status_code == 200 and "inzwischen geändert" in resp.text
    assert not AgreementAcceptance.objects.exists()


def test_other_kommune_cannot_see_or_change_an_order(client, signed_in_admin):
    foreign = SubscriptionFactory(authority=AuthorityFactory())
    for url in (f"/verwaltung/shop/anschluss/{foreign.pk}/einrichten/",
                f"/verwaltung/shop/anschluss/{foreign.pk}/pruefen/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/verwaltung/shop/anschluss/{foreign.pk}/beenden/",
                       {"ends_on": date.today().isoformat()}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.ends_on is None
    assert foreign.offer.name not in client.get("/verwaltung/shop/anschluesse/").text


def test_staff_without_admin_role_and_citizens_cannot_shop(client):
    login_staff(client, UserFactory())
    assert client.get("/verwaltung/shop/").status_code == 403
    client.logout()
    client.force_login(UserFactory(citizen=True))
    assert client.get("/verwaltung/shop/").status_code in (302, 403)


def test_land_operator_views_and_exports(client):
    operator = UserFactory(land_operator=True)
    login_staff(client, operator)
    offer = OfferFactory(name="Meldebescheinigung online", population_sharing=True)
    live = SubscriptionFactory(offer=offer, live=True)
    SubscriptionFactory(offer=offer)  # in progress
    AuthorityFactory()  # missing
    page = client.get(f"/land/angebote/{offer.slug}/")
    assert page.status_code == 200
    assert "1 angeschlossen, 1 in Arbeit, 1 noch nicht angeschlossen" in page.text
    assert "Gemeinden des Landes mit dem Dienst online" in page.text
    assert "<svg" in page.text
    csv_text = client.get(f"/land/angebote/{offer.slug}/export.csv").content.decode()
    assert live.authority.name in csv_text and "angeschlossen" in csv_text
    assert "10.000" in client.get(f"/land/kosten/?jahr={date.today().year}").text  # population, grouped
    costs = client.get(f"/land/kosten/?jahr={date.today().year}&format=csv").content.decode()
    assert "12.000,00" in costs  # one participant pays the full annual cost
    pdf = client.get(f"/land/kosten/?jahr={date.today().year}&format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def _cells(response) -> list[list[str]]:
    import csv
    import io

    assert response.content.startswith(b"\xef\xbb\xbf")  # German Excel: UTF-8 only after a byte order mark
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_land_exports_defuse_formulas_that_tenants_typed(client):
    """A Kommune names its authority, a Land names an offer: the operator's spreadsheet must not run it."""
    login_staff(client, UserFactory(land_operator=True))
    offer = OfferFactory(name="@SUM(1+1)*cmd|' /C calc'!A0", population_sharing=True)
    live = SubscriptionFactory(offer=offer, live=True, authority=AuthorityFactory(name='=HYPERLINK("https://x.example")'))
    SubscriptionFactory(offer=offer, authority=AuthorityFactory(name="+Kreis"))
    AuthorityFactory(name="-Gemeinde")
    rollout = _cells(client.get(f"/land/angebote/{offer.slug}/export.csv"))
    names = {row[0] for row in rollout[1:]}
    assert {"'=HYPERLINK(\"https://x.example\")", "'+Kreis", "'-Gemeinde"} <= names
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rollout for cell in row)
    costs = _cells(client.get(f"/land/kosten/?jahr={date.today().year}&format=csv"))
    row = next(r for r in costs if r[3] == "'" + live.authority.name)
    assert row[1] == "'" + offer.name
    assert row[0] == str(date.today().year) and row[-1] == "12.000,00"  # numbers stay numbers


def test_land_reminders_are_sent_once_a_week(client, mailoutbox):
    operator = UserFactory(land_operator=True)
    login_staff(client, operator)
    from amtsweg.routing.tests.factories import ResponsibilityFactory

    offer = OfferFactory(public_services=[PublicServiceFactory(hundesteuer=True)])
    missing = AuthorityFactory(email="rathaus@gemeinde.example")
    ResponsibilityFactory(destination__authority=missing)
    # Issue 16, item 14: not responsible for the service, or ended on purpose → no reminder.
    AuthorityFactory(email="nicht-zustaendig@gemeinde.example")
    ended = AuthorityFactory(email="beendet@gemeinde.example")
    ResponsibilityFactory(destination__authority=ended)
    SubscriptionFactory(offer=offer, authority=ended, status=Subscription.Status.ENDED)
    client.post(f"/land/angebote/{offer.slug}/erinnern/")
    client.post(f"/land/angebote/{offer.slug}/erinnern/")
    to_missing = [m for m in mailoutbox if m.to == [missing.email]]
    assert len(to_missing) == 1
    assert offer.name in to_missing[0].subject
    assert {tuple(m.to) for m in mailoutbox} == {(missing.email,)}


def test_onboarding_csv_reports_every_bad_line_and_imports_nothing(client):
    operator = UserFactory(land_operator=True)
    login_staff(client, operator)
    offer = OfferFactory(slug="hundesteuer")
    good = AuthorityFactory()
    csv_bytes = (
        "ars;angebot;zustaendige_stelle;email;gebuehr_eur\n"
        f"{good.area_ars};hundesteuer;Steueramt;steuer@x.example;12,50\n"
        "12ab;hundesteuer;Amt;amt@x.example;\n"
        f"{good.area_ars};gibtsnicht;Amt;kaputt;-3\n"
    ).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post("/land/anschluesse/import/", {"file": SimpleUploadedFile("a.csv", csv_bytes)})
    assert resp.status_code == 200
    text = resp.text
    assert "Zeile" in text
    assert "12ab" in text and "Unbekanntes Angebot" in text and "E-Mail-Adresse" in text and "Euro-Betrag" in text
    assert not Subscription.objects.exists()
    ok = f"ars;angebot;zustaendige_stelle;email\n{good.area_ars};{offer.slug};Steueramt;steuer@x.example\n".encode()
    resp = client.post("/land/anschluesse/import/", {"file": SimpleUploadedFile("b.csv", ok)})
    assert resp.status_code == 302
    sub = Subscription.objects.get()
    assert sub.onboarded_by_land and sub.authority == good and not sub.acceptances.exists()


def test_onboarding_refuses_other_lands_authorities_and_non_utf8(client):
    operator = UserFactory(land_operator=True)
    login_staff(client, operator)
    OfferFactory(slug="x")
    foreign = AuthorityFactory(municipality__association__district__land__code="01",
                               municipality__association__district__code="01001")
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post("/land/anschluesse/import/", {"file": SimpleUploadedFile(
        "c.csv", f"ars;angebot;zustaendige_stelle;email\n{foreign.area_ars};x;A;a@x.example\n".encode())})
    assert "nicht zu Ihrem Land" in resp.text  # not created either: it is another Land's Gemeinde
    resp = client.post("/land/anschluesse/import/", {"file": SimpleUploadedFile(
        "d.csv", "ars;angebot;zustaendige_stelle;email\n100;x;Ämt;a@x.example\n".encode("latin-1"))})
    assert "Windows-1252-kodiert" in resp.text  # read as Excel wrote it, and said so (issue 16, item 12)


def test_api_lists_offers_and_live_subscriptions_changed_since(client):
    offer = OfferFactory(public_services=[PublicServiceFactory(hundesteuer=True)])
    live = SubscriptionFactory(offer=offer, live=True)
    SubscriptionFactory(offer=offer)  # an order in progress is not published
    data = client.get("/api/shop/v1/offers").json()
    assert data["totalCount"] == 1 and data["offers"][0]["leikaKeys"] == ["99102013000000"]
    subs = client.get("/api/shop/v1/subscriptions").json()
    assert [s["id"] for s in subs["subscriptions"]] == [live.pk]
    later = client.get("/api/shop/v1/subscriptions", {"changedSince": "2999-01-01T00:00:00Z"}).json()
    assert later["totalCount"] == 0
    bad = client.get("/api/shop/v1/offers", {"changedSince": "gestern", "limit": "0"})
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("language", ["de", "en"])
def test_local_fee_is_read_the_german_way_whatever_the_browser_language(client, signed_in_admin, language):
    """Issue 16, item 7: with an English browser Django's localized field read "12,50" as 1250 €."""
    sub = SubscriptionFactory(authority=signed_in_admin.authority)
    destination = DestinationFactory(authority=signed_in_admin.authority)
    url = f"/verwaltung/shop/anschluss/{sub.pk}/einrichten/"
    data = {"office_name": "Steueramt", "contact_email": "steuer@kommune.example", "destination": str(destination.pk)}
    for typed, cents in [("12,50", 1250), ("12,50 €", 1250), ("12.50", 1250), ("8", 800), ("", None)]:
        resp = client.post(url, {**data, "local_fee": typed}, HTTP_ACCEPT_LANGUAGE=language)
        assert resp.status_code == 302, typed
        sub.refresh_from_db()
        assert sub.local_fee_cents == cents, typed
    for typed, message in [("1.250,00", "höchstens 1.000,00 €"), ("zwölf", "z. B. 12,50"),
                           ("12,505", "zwei Nachkommastellen"), ("-3", "mindestens 0,00 €")]:
        resp = client.post(url, {**data, "local_fee": typed}, HTTP_ACCEPT_LANGUAGE=language)
        assert resp.status_code == 200 and 'aria-invalid="true"' in resp.text, typed
        assert message in resp.text or language != "de", typed
        assert f'value="{typed}"' in resp.text  # what was typed stays in the field
    sub.refresh_from_db()
    assert sub.local_fee_cents is None
    sub.local_fee_cents = 1250
    sub.save()
    assert 'value="12,50"' in client.get(url).text


def test_citizen_pays_the_fee_the_kommune_configured(client, settings, db):
    """Issue 16, item 7: the citizen paid the form's 10 € although the Kommune had set its own fee. The fee is
    that of the office routing delivers to (the Kommune's own responsibility, registered at going live)."""
    from amtsweg.assistants import integrations
    from amtsweg.assistants.tests.factories import FormDefinitionFactory
    from amtsweg.routing.tests.factories import ResponsibilityFactory

    service = PublicServiceFactory(hundesteuer=True)
    form = FormDefinitionFactory(slug="hundesteuer-gebuehr", leika_key=service.key, fee_cents=1000)
    authority = AuthorityFactory()
    destination = DestinationFactory(authority=authority)
    ResponsibilityFactory(leika_key=service.key, destination=destination)
    sub = SubscriptionFactory(live=True, authority=authority, offer=OfferFactory(public_services=[service]),
                              local_fee_cents=2550, destination=destination)
    place = authority.municipality.ars
    assert integrations.fee_cents(form, place) == 2550
    sub.local_fee_cents = 0
    sub.save()
    assert integrations.fee_cents(form, place) == 0  # the Kommune waives the fee: nothing to pay
    sub.local_fee_cents = None
    sub.save()
    assert integrations.fee_cents(form, place) == 1000  # no fee of its own: the form's
    assert integrations.fee_cents(form, "") == 1000


def test_ending_a_live_service_asks_shows_the_consequences_and_keeps_the_notice_period(client, signed_in_admin):
    """Issue 16, item 8: "Beenden" ended a live service with one click, the notice period ignored."""
    service = PublicServiceFactory(hundesteuer=True)
    sub = SubscriptionFactory(live=True, authority=signed_in_admin.authority,
                              offer=OfferFactory(name="Hundesteuer online", public_services=[service]))
    listing = client.get("/verwaltung/shop/anschluesse/").text
    assert f'href="/verwaltung/shop/anschluss/{sub.pk}/beenden/"' in listing and "<form" not in listing.split(
        "<main", 1)[-1].split("</main>")[0]
    url = f"/verwaltung/shop/anschluss/{sub.pk}/beenden/"
    page = client.get(url).text
    assert "nicht mehr online beantragen" in page and "Hundesteuer" in page and "Kündigungsfrist von 3 Monaten" in page
    tomorrow = date.fromordinal(date.today().toordinal() + 1)
    resp = client.post(url, {"ends_on": tomorrow.isoformat()})
    assert resp.status_code == 200 and "Bitte bestätigen Sie" in resp.text
    resp = client.post(url, {"ends_on": tomorrow.isoformat(), "confirm": "on"})
    assert resp.status_code == 200 and "frühestens zum" in resp.text
    sub.refresh_from_db()
    assert sub.ends_on is None and sub.status == Subscription.Status.LIVE

    land = UserFactory(land_operator=True)
    land_client = client.__class__()
    login_staff(land_client, land)
    assert land_client.post(f"/land/anschluesse/{sub.pk}/vorzeitiges-ende/").status_code == 302
    resp = client.post(url, {"ends_on": tomorrow.isoformat(), "confirm": "on"})
    assert resp.status_code == 302
    sub.refresh_from_db()
    assert sub.ends_on == tomorrow


def test_land_costs_say_what_the_population_is_and_refuse_a_year_they_cannot_show(client):
    """Issue 16, items 11 and 15: "None" in Einwohner; "?jahr=abc" silently showed the current year."""
    from amtsweg.geo.tests.factories import MunicipalityFactory

    login_staff(client, UserFactory(land_operator=True))
    population_offer = OfferFactory(name="Nach Einwohnern", population_sharing=True)
    SubscriptionFactory(offer=population_offer, live=True)
    unknown = AuthorityFactory(municipality=MunicipalityFactory(population=None))
    SubscriptionFactory(offer=population_offer, live=True, authority=unknown)
    SubscriptionFactory(offer=OfferFactory(name="Zu gleichen Teilen"), live=True)
    page = client.get(f"/land/kosten/?jahr={date.today().year}").text
    assert "None" not in page
    assert "unbekannt (Median 10.000 angesetzt) *" in page and "nicht verwendet" in page
    for typed, message in [("abc", "muss eine Jahreszahl sein"), ("1800", "vor 2000"),
                           ("", "Bitte geben Sie ein Jahr")]:
        resp = client.get(f"/land/kosten/?jahr={typed}")
        assert resp.status_code == 400 and message in resp.text, typed
        assert "Nach Einwohnern" not in resp.text
        assert client.get(f"/land/kosten/?jahr={typed}&format=csv").status_code == 400


def test_rollout_counts_gemeinden_and_names_gemeindefreie_gebiete_apart(client):
    """Issue 16, item 15: the Saarland rollout said "1 von 53" for 52 Gemeinden (the deutsch-luxemburgisches
    Hoheitsgebiet is gemeindefrei)."""
    from amtsweg.geo.tests.factories import MunicipalAssociationFactory, MunicipalityFactory

    login_staff(client, UserFactory(land_operator=True))
    association = MunicipalAssociationFactory()
    gemeinde = MunicipalityFactory(association=association)
    MunicipalityFactory(association=association)
    MunicipalityFactory(ars=association.district.code + "9999999", association=association,
                        name="Deutsch-luxemburgisches Hoheitsgebiet", population=None)
    offer = OfferFactory()
    SubscriptionFactory(offer=offer, live=True, authority=AuthorityFactory(municipality=gemeinde))
    page = client.get(f"/land/angebote/{offer.slug}/").text
    assert "mit dem Dienst online: 1 von 2." in page
    assert "Nicht mitgezählt: 1 gemeindefreies Gebiet" in page


def test_onboarding_template_opens_in_excel_and_reads_back_with_only_its_example_refused(client):
    """The template (issue 16, item 12): BOM and `;` for German Excel, every column, one example row that the
    import reads (columns, encoding) but refuses (a fictitious ARS), so an example left in does no harm."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    login_staff(client, UserFactory(land_operator=True))
    OfferFactory(slug="hundesteuer")
    assert 'href="/land/anschluesse/import/vorlage.csv"' in client.get("/land/anschluesse/import/").text
    template = client.get("/land/anschluesse/import/vorlage.csv")
    [header, example] = _cells(template)
    assert header == ["ars", "angebot", "zustaendige_stelle", "email", "telefon", "oeffnungszeiten", "gebuehr_eur",
                      "zustellpunkt"]
    assert example[:2] == ["100419999999", "hundesteuer"] and example[6] == "12,50"
    resp = client.post("/land/anschluesse/import/", {"file": SimpleUploadedFile("t.csv", template.content)})
    assert resp.status_code == 200
    assert "Die Datei wurde nicht übernommen" in resp.text and '<td class="kern-table__cell">2</td>' in resp.text
    assert "Trennzeichen ließ sich nicht" not in resp.text and "Zeichenkodierung der Datei" not in resp.text
    assert not Subscription.objects.exists()


def test_the_fee_for_the_place_is_shown_before_the_form_is_started(client, db):
    """Issue 16, item 3: 'Wer ist zuständig?' and the form's start page named the form's default fee (or none)
    for a place whose Kommune set its own; the citizen learnt the real fee only at paying."""
    from amtsweg.assistants.tests.factories import FormVersionFactory
    from amtsweg.routing.tests.factories import ResponsibilityFactory

    service = PublicServiceFactory(hundesteuer=True)
    version = FormVersionFactory(published=True, form__slug="gebuehr-vor-ort", form__leika_key=service.key,
                                 form__fee_cents=1000)
    authority = AuthorityFactory()
    destination = DestinationFactory(authority=authority)
    ResponsibilityFactory(leika_key=service.key, destination=destination)
    SubscriptionFactory(live=True, authority=authority, offer=OfferFactory(public_services=[service]),
                        local_fee_cents=2550, destination=destination)
    place = authority.municipality.ars
    who = client.get("/zustaendigkeit/", {"key": service.key, "ars": place}).text
    assert "Gebühr: 25,50 €, online zu bezahlen vor dem Absenden." in who
    start = client.get(f"/antrag/{version.form.slug}/", {"ars": place}).text
    assert "Gebühr: 25,50 €" in start and "10,00 €" not in start
    assert "Gebühr: 10,00 €" in client.get(f"/antrag/{version.form.slug}/").text  # no place: the form's fee

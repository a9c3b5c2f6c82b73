"""Browser tests in Debian's chromium: axe (WCAG 2.1 AA) on every assistant page, a whole application with the
keyboard only, and error messages that are announced (role="alert" summary that receives focus)."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from amtsweg.assistants.demo import load_demo
from amtsweg.assistants.models import Receipt
from amtsweg.core.testing import assert_no_axe_violations
from amtsweg.geo.tests.factories import MunicipalityFactory, PostcodeAreaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, test_intake):
    load_demo(io.StringIO())
    PostcodeAreaFactory(postcode="66111", municipality__name="Saarbrücken")
    first = PostcodeAreaFactory(postcode="66557", municipality__name="Illingen")
    PostcodeAreaFactory(postcode="66557", municipality=MunicipalityFactory(name="Merchweiler"))
    return first


def focused(page) -> str:
    return page.evaluate("() => { const e = document.activeElement; return e ? (e.id || e.name || e.tagName) : ''; }")


def tab_to(page, target: str, limit: int = 80) -> None:
    """Press Tab until the element with this id (or name) has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == target:
            return
    raise AssertionError(f"could not reach {target} with Tab (focus is on {focused(page)})")


def type_into(page, target: str, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def assert_declaration_legend_on_its_own_line(page) -> None:
    """KERN floats legends left; the checkbox (and any error) must start below the "Erklärung" legend."""
    legend = page.locator("#declaration legend").bounding_box()
    below = [page.locator(sel).bounding_box() for sel in ("#declaration .kern-form-check", "#f-declaration-error")
             if page.locator(sel).count()]
    assert below
    for box in below:
        assert box["y"] >= legend["y"] + legend["height"] - 1, (legend, box)


def test_whole_application_with_the_keyboard_only(live_server, page, demo, test_intake, settings):
    settings.AMTSWEG_STATUS_LINK = "amtsweg.assistants.tests.intake.status_link"
    page.goto(f"{live_server.url}/antrag/hundesteuer/")
    assert_no_axe_violations(page)
    tab_to(page, "start-application")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ort/")
    assert "Schritt 1 von 5" in page.content()
    assert_no_axe_violations(page)
    type_into(page, "f-postcode", "66557")
    page.keyboard.press("Enter")  # the default button is "Weiter"
    page.wait_for_selector("#f-ars-0")
    assert_no_axe_violations(page)
    tab_to(page, "f-ars-0")
    page.keyboard.press("ArrowDown")  # moves to and selects "Merchweiler"
    page.keyboard.press("Enter")
    page.wait_for_url("**/schritt/halter/")
    assert "Schritt 2 von 5" in page.content()
    assert_no_axe_violations(page)

    # errors are announced: the summary is an alert and gets the focus, its links lead to the fields
    page.keyboard.press("Tab")
    tab_to(page, "f-vorname")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary")
    assert page.get_attribute("#error-summary", "role") == "alert"
    assert focused(page) == "error-summary"
    assert "Bitte füllen Sie das Feld „Vorname“ aus." in page.inner_text("#error-summary")
    assert page.get_attribute("#f-vorname", "aria-invalid") == "true"
    assert "f-vorname-error" in page.get_attribute("#f-vorname", "aria-describedby")
    assert_no_axe_violations(page)
    page.keyboard.press("Tab")  # first link of the summary
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#f-vorname"

    type_into(page, "f-vorname", "Erika")
    type_into(page, "f-familienname", "Mustermann")
    type_into(page, "f-geburtsdatum", "12.08.1964")
    type_into(page, "f-anschrift-street", "Hauptstraße")
    type_into(page, "f-anschrift-house_number", "5a")
    type_into(page, "f-anschrift-postcode", "66557")
    type_into(page, "f-anschrift-place", "Merchweiler")
    type_into(page, "f-email", "erika@example.org")
    page.keyboard.press("Enter")
    page.wait_for_url("**/schritt/hund/")
    assert_no_axe_violations(page)

    type_into(page, "f-hund_name", "Bello")
    tab_to(page, "f-rasse")
    page.keyboard.type("Dackel")
    today = timezone.localdate()
    type_into(page, "f-wurfdatum", (today - timedelta(days=100)).strftime("%d.%m.%Y"))
    # before the birth: the cross-field rule must refuse it
    type_into(page, "f-haltungsbeginn", (today - timedelta(days=200)).strftime("%d.%m.%Y"))
    tab_to(page, "f-listenhund-0")
    page.keyboard.press("Space")  # "Ja" …
    page.keyboard.press("ArrowRight")  # … then "Nein"
    tab_to(page, "f-ermaessigung-0")
    page.keyboard.press("Space")  # "Keine"
    tab_to(page, "f-hund_name")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error-summary")
    assert "Der Beginn der Haltung kann nicht vor der Geburt des Hundes liegen." in page.inner_text("#error-summary")
    assert_no_axe_violations(page)
    tab_to(page, "f-haltungsbeginn")
    page.keyboard.press("Control+A")
    page.keyboard.type(today.strftime("%d.%m.%Y"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/schritt/zahlung/")
    assert "Schritt 4 von 5" in page.content()

    tab_to(page, "f-lastschrift-0")
    page.keyboard.press("Space")  # "Ja": account holder and IBAN become relevant
    type_into(page, "f-kontoinhaber", "Erika Mustermann")
    type_into(page, "f-iban", "DE02 1203 0000 0000 2020 51")
    page.keyboard.press("Enter")
    page.wait_for_url("**/pruefen/")
    assert "Schritt 5 von 5" in page.content()
    assert_declaration_legend_on_its_own_line(page)
    assert_no_axe_violations(page)
    body = page.inner_text("main")
    assert "Merchweiler" in body and "Dackel" in body and "DE02 1203 0000 0000 2020 51" in body

    tab_to(page, "f-declaration")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/antrag/eingang/**")
    assert "Ihr Antrag ist eingegangen" in page.content()
    assert "Den Bearbeitungsstand Ihres Antrags sehen Sie hier:" in page.inner_text("#status-link")
    assert page.get_attribute("#status-link a", "href") == f"{live_server.url}/status/AW-TEST-0001/signatur/"
    assert_no_axe_violations(page)
    (payload,) = test_intake
    assert payload.data["rasse"] == "dackel" and payload.data["listenhund"] is False
    assert payload.data["iban"] == "DE02120300000000202051"
    assert payload.applicant_ars != demo.municipality.ars  # Merchweiler, not Illingen
    assert Receipt.objects.count() == 1


def test_other_assistant_pages_are_accessible(live_server, page, demo, test_intake):
    page.goto(f"{live_server.url}/antrag/")
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/antrag/meldebescheinigung/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Antrag starten").click()
    page.wait_for_url("**/ort/")
    page.fill("#f-postcode", "1234")
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_selector("#error-summary")
    assert_no_axe_violations(page)
    page.fill("#f-postcode", "66111")
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_url("**/schritt/person/")
    page.get_by_role("button", name="Zwischenspeichern und später fortsetzen").click()
    page.wait_for_url("**/gespeichert/")
    assert_no_axe_violations(page)
    page.fill("#f-email", "kaputt")
    page.get_by_role("button", name="Link senden").click()
    page.wait_for_selector("#error-summary")
    assert_no_axe_violations(page)
    link = re.search(r'href="(http[^"]+/antrag/fortsetzen/[^"]+)"', page.content()).group(1)
    page.goto(link[:-3] + "xyz/")
    assert_no_axe_violations(page)
    # the Waffenbesitzkarte renders accessibly, conditions and repeatable fieldsets included
    page.goto(f"{live_server.url}/antrag/waffenbesitzkarte/")
    page.get_by_role("button", name="Antrag starten").click()
    page.fill("#f-postcode", "66111")
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_url("**/schritt/**")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Weiter").first.click()
    page.wait_for_selector("#error-summary")
    assert_no_axe_violations(page)
    # English
    page.goto(f"{live_server.url}/antrag/hundesteuer/")
    page.select_option("#site-lang-select", "en")
    page.get_by_role("button", name="Wechseln").click()
    page.wait_for_load_state()
    assert "Start application" in page.content()
    assert_no_axe_violations(page)


def test_summary_error_and_receipt_page_are_accessible(live_server, page, demo, test_intake):
    page.goto(f"{live_server.url}/antrag/meldebescheinigung/")
    page.get_by_role("button", name="Antrag starten").click()
    page.fill("#f-postcode", "66111")
    page.get_by_role("button", name="Weiter").click()
    page.fill("#f-vorname", "Erika")
    page.fill("#f-familienname", "Mustermann")
    page.fill("#f-geburtsdatum", "12.08.1964")
    page.fill("#f-anschrift-street", "Rathausplatz")
    page.fill("#f-anschrift-house_number", "1")
    page.fill("#f-anschrift-postcode", "66111")
    page.fill("#f-anschrift-place", "Saarbrücken")
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_url("**/schritt/bescheinigung/")
    page.check("#f-art-0")
    page.check("#f-zweck-3")
    page.fill("#f-anzahl", "1")
    page.check("#f-versand-0")
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_url("**/pruefen/")
    assert "Gebühr von 10,00 €" in page.content()
    page.get_by_role("button", name="Weiter zur Bezahlung").click()
    page.wait_for_selector("#error-summary")
    assert_declaration_legend_on_its_own_line(page)
    assert_no_axe_violations(page)


def test_staff_form_pages_are_accessible(live_server, page, demo):
    from amtsweg.accounts.testing import browser_login
    from amtsweg.accounts.tests.factories import UserFactory

    browser_login(page, live_server.url, UserFactory(land_operator=True))
    base = f"{live_server.url}/verwaltung/formulare"
    for path in ["/", "/hundesteuer/", "/waffenbesitzkarte/", "/hundesteuer/v1/vorschau/",
                 "/waffenbesitzkarte/v1/vorschau/", "/import/", "/fim-import/"]:
        page.goto(base + path)
        assert_no_axe_violations(page)
    page.goto(base + "/hundesteuer/v1/vorschau/")
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_selector("#error-summary")
    assert_no_axe_violations(page)
    page.goto(base + "/fim-import/")
    page.set_input_files("#f-file", files=[{"name": "x.xml", "mimeType": "text/xml", "buffer": b"<x/>"}])
    page.fill("#f-leika", "99089086000000")
    page.get_by_role("button", name="Importieren").click()
    page.wait_for_selector("#error-summary")
    assert "Unbekannter Namensraum" in page.inner_text("#error-summary")
    assert_no_axe_violations(page)
    page.goto(base + "/waffenbesitzkarte/")
    page.get_by_role("button", name="Neue Version aus der neuesten anlegen").click()
    page.wait_for_url("**/v2/bearbeiten/")
    assert_no_axe_violations(page)
    # the draft's actions: the "Veröffentlichen" label spilled out of its shrunken button onto "Bearbeiten"
    page.goto(base + "/waffenbesitzkarte/")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        button = page.get_by_role("button", name=re.compile("^Veröffentlichen v2"))
        label, frame = button.locator(".kern-label").first.bounding_box(), button.bounding_box()
        assert (frame["x"] <= label["x"] and label["x"] + label["width"] <= frame["x"] + frame["width"] + 0.5
                and frame["y"] <= label["y"] and label["y"] + label["height"] <= frame["y"] + frame["height"] + 0.5), (
            width, frame, label)
        boxes = [page.get_by_role("link", name=re.compile(name)).bounding_box()
                 for name in ("^Vorschau v2", "^Export \\(JSON\\) v2", "^Bearbeiten v2")] + [frame]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                apart = (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                         or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])
                assert apart, (width, a, b)


def test_repeatable_fieldset_and_long_code_list_are_accessible_and_work_by_keyboard(live_server, page, demo):
    """The Waffenbesitzkarte's FIM schema (the card's data, imported as a form here only to test the import):
    Staat is a select of the Destatis list, Amtliche Eintragungen repeat."""
    from amtsweg.assistants import demo as assistants_demo
    from amtsweg.assistants import forms

    forms.import_fim(assistants_demo.WBK_FILE.read_bytes(), leika_key=assistants_demo.WBK_LEIKA,
                     slug="wbk-fim", publish_now=True)
    page.goto(f"{live_server.url}/antrag/wbk-fim/")
    page.get_by_role("button", name="Antrag starten").click()
    page.fill("#f-postcode", "66111")
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_url("**/schritt/**")
    root = page.url.rsplit("/schritt/", 1)[0]
    page.goto(f"{root}/schritt/S_G00000067/")
    staat = page.locator("#f-F00000038")
    assert staat.evaluate("e => e.tagName") == "SELECT" and staat.locator("option").count() > 190
    hint = page.locator("#" + staat.get_attribute("aria-describedby").split()[0]).inner_text()
    assert "Tippen Sie die Anfangsbuchstaben" in hint
    staat.focus()
    page.keyboard.type("Frankr")  # a native select jumps to the typed entry
    assert staat.evaluate("e => e.options[e.selectedIndex].text") == "Frankreich"
    assert_no_axe_violations(page)
    page.goto(f"{root}/schritt/S_G00000066/")
    page.fill("#f-F00000064-0", "Eintragung A")
    add = page.get_by_role("button", name="Weiteren Eintrag zu „Amtliche Eintragungen“ hinzufügen")
    add.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#f-F00000064-1")
    assert page.input_value("#f-F00000064-0") == "Eintragung A"
    page.fill("#f-F00000008_4-1", "31.02.2020")
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.wait_for_selector("#error-summary")
    assert "Amtliche Eintragungen, Eintrag 1: Bitte füllen Sie das Feld „Datum“ aus." in page.content()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Amtliche Eintragungen – Eintrag 1 entfernen").click()
    page.wait_for_load_state()
    assert page.locator("#f-F00000064-1").count() == 0 and page.input_value("#f-F00000008_4-0") == "31.02.2020"


def test_a_condition_inside_repeated_entries_toggles_each_entry_by_its_own_answer(live_server, page, demo):
    from .factories import FormVersionFactory, t

    fields = [{"id": "erlaubnis", "type": "yesno", "label": t("Munitionserlaubnis"), "required": True},
              {"id": "kaliber", "type": "text", "label": t("Kaliber"), "required": True,
               "visible_if": {"field": "erlaubnis", "equals": True}}]
    FormVersionFactory(published=True, form__slug="waffen", definition={
        "schema_version": 1, "title": t("Waffen"), "steps": [{"id": "waffen", "title": t("Waffen"), "fieldsets": [
            {"id": "waffe", "legend": t("Waffe"), "repeat": {"min": 1, "max": 3}, "fields": fields}]}]})
    page.goto(f"{live_server.url}/antrag/waffen/")
    page.get_by_role("button", name="Antrag starten").click()
    page.fill("#f-postcode", "66111")
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.wait_for_url("**/schritt/waffen/")
    page.check("#f-erlaubnis-0-1")  # Nein
    expect(page.locator("#f-kaliber-0")).to_be_hidden()
    page.get_by_role("button", name="Weiteren Eintrag zu „Waffe“ hinzufügen").click()
    page.wait_for_selector("#f-erlaubnis-1-0")
    page.check("#f-erlaubnis-1-0")  # Ja
    expect(page.locator("#f-kaliber-1")).to_be_visible()
    expect(page.locator("#f-kaliber-0")).to_be_hidden()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.wait_for_selector("#error-summary")
    assert "Waffe, Eintrag 2: Bitte füllen Sie das Feld „Kaliber“ aus." in page.content()
    assert "Eintrag 1: Bitte füllen Sie das Feld „Kaliber“" not in page.content()

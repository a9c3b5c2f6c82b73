"""Issue 14's whole way in the browser (Debian chromium, axe on every page of the way):

a citizen applies → the case is in the receiving Kommune's inbox → the case worker asks a question from the
case page → the citizen answers with an upload → the case worker decides and sends a Bescheid from a
template → the citizen opens it from the Postfach and the status shows it.

The citizen's side after the application (Postfach, status page, Rückfrage, answer, notice) is driven by the
keyboard alone (Tab, Enter, typing); only the file chooser gets its file set directly, as it is the
browser's own dialog. The assistant's own keyboard-only walk is `assistants/tests/test_browser.py`.
"""

from __future__ import annotations

import pytest

from amtsweg.accounts.testing import browser_login
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.casework.models import Case
from amtsweg.casework.tests.factories import on_casework
from amtsweg.core.testing import assert_no_axe_violations
from amtsweg.delivery import services as outbox
from amtsweg.postfach.models import Notice
from amtsweg.submissions.models import Submission

from .factories import DETAILS, PERSON, browser_citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _focused_text(page) -> str:
    return page.evaluate("() => (document.activeElement && document.activeElement.textContent || '').trim()")


def tab_to_text(page, text: str, limit: int = 120) -> None:
    """Press Tab until the focused element's text contains `text`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if text in _focused_text(page):
            return
    raise AssertionError(f"could not reach “{text}” with Tab")


def tab_to_id(page, element_id: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"could not reach #{element_id} with Tab")


def _fill_step(page, data: dict) -> None:
    for name, value in data.items():
        if name == "action":
            continue
        field = page.locator(f'[name="{name}"]')
        kind = field.first.get_attribute("type")
        if kind in ("radio", "checkbox"):
            page.locator(f'[name="{name}"][value="{value}"]').check()
        elif field.first.evaluate("e => e.tagName") == "SELECT":
            field.first.select_option(value)
        else:
            field.first.fill(value)
    page.locator('button.kern-btn--primary[name="action"][value="next"]').click()


def test_apply_ask_answer_decide_and_fetch_the_notice(live_server, page, browser, routed_responsibility,
                                                      tmp_path):
    on_casework(routed_responsibility)
    worker = UserFactory(authority=routed_responsibility.destination.authority)
    base = live_server.url
    browser_citizen(page, base)

    # 1. the citizen applies (logged in: the application lands in "Meine Anträge")
    page.goto(f"{base}/antrag/testantrag/")
    page.get_by_role("button", name="Antrag starten").click()
    page.locator('[name="postcode"]').fill("66111")
    page.locator('[name="postcode"]').press("Enter")
    page.wait_for_url("**/schritt/**")
    _fill_step(page, PERSON)
    page.wait_for_url("**/schritt/**")
    _fill_step(page, DETAILS)
    page.wait_for_url("**/schritt/**")
    page.locator('button.kern-btn--primary[name="action"][value="next"]').click()
    page.wait_for_url("**/pruefen/")
    page.locator('[name="declaration"]').check()
    page.get_by_role("button", name="Antrag verbindlich absenden").click()
    page.wait_for_url("**/antrag/eingang/**")
    submission = Submission.objects.get()
    outbox.run_until_idle()  # the delivery worker: the back office takes the application in
    case = Case.objects.get(submission_id=submission.pk)

    # 2. the case is in the receiving Kommune's inbox
    staff = browser.new_context(locale="de-DE").new_page()
    staff.set_default_timeout(15_000)
    browser_login(staff, base, worker)
    staff.goto(f"{base}/verwaltung/sachbearbeitung/")
    staff.get_by_role("link", name=case.reference).click()
    staff.wait_for_url(f"**/vorgang/{case.pk}/")

    # 3. the case worker asks a question from the case page
    staff.get_by_role("link", name="Nachrichten und Rückfrage an den Antragsteller").click()
    staff.wait_for_url(f"**/verwaltung/postfach/{case.pk}/")
    assert_no_axe_violations(staff)
    staff.get_by_label("Ihre Frage").fill("Bitte senden Sie uns den Nachweis.")
    staff.get_by_label("Angeforderte Unterlagen").fill("Nachweis über das Haustier")
    staff.get_by_role("button", name="Rückfrage senden").click()
    staff.wait_for_selector("text=Die Rückfrage ist im Postfach des Antragstellers")
    assert staff.inner_text("#case-state") == "Rückfrage"
    assert_no_axe_violations(staff)

    # 4. the citizen answers with an upload — keyboard only
    page.goto(f"{base}/")
    tab_to_text(page, "Meine Anträge")
    page.keyboard.press("Enter")
    page.wait_for_url("**/postfach/")
    assert_no_axe_violations(page)
    tab_to_text(page, "Testantrag")
    page.keyboard.press("Enter")
    page.wait_for_url("**/status/**")
    assert "Es gibt eine Rückfrage zu Ihrem Antrag" in page.inner_text("#status-headline")
    assert_no_axe_violations(page)
    tab_to_text(page, "Rückfrage lesen und beantworten")
    page.keyboard.press("Enter")
    page.wait_for_url("**/nachrichten/**")
    assert "Nachweis über das Haustier" in page.inner_text("main")
    assert_no_axe_violations(page)
    tab_to_id(page, "f-text")
    page.keyboard.type("Anbei der Nachweis.")
    upload = tmp_path / "nachweis.pdf"
    upload.write_bytes(PDF)
    page.locator("#f-files").set_input_files(str(upload))
    tab_to_text(page, "Antwort senden")
    page.keyboard.press("Enter")
    page.wait_for_url("**/status/**")
    assert page.get_by_text("Ihre Antwort ist bei der Behörde eingegangen.").is_visible()
    assert_no_axe_violations(page)

    # 5. the case worker reads the answer, writes a template, decides and sends the Bescheid
    staff.reload()
    assert staff.get_by_text("Anbei der Nachweis.").is_visible()
    assert staff.inner_text("#case-state") == "in Bearbeitung"
    staff.get_by_role("link", name="nachweis.pdf").is_visible()
    staff.goto(f"{base}/verwaltung/bescheidvorlagen/")
    assert_no_axe_violations(staff)
    staff.get_by_label("Leistungsschlüssel (LeiKa, 14 Ziffern)").fill(case.leika_key)
    staff.get_by_label("Name der Vorlage").fill("Bewilligung")
    staff.get_by_label("Überschrift des Bescheids").fill("Bescheid über $leistung")
    staff.get_by_label("Text des Bescheids").fill("Guten Tag $antragsteller,\nIhr Antrag $vorgangsnummer ist "
                                                 "$entscheidung.")
    staff.get_by_role("button", name="Vorlage speichern").click()
    staff.wait_for_selector("text=Die Vorlage ist gespeichert.")
    staff.goto(f"{base}/verwaltung/sachbearbeitung/vorgang/{case.pk}/")
    staff.get_by_role("link", name="Bescheid erstellen und zustellen").click()
    staff.wait_for_url(f"**/verwaltung/postfach/{case.pk}/bescheid/")
    assert_no_axe_violations(staff)
    staff.get_by_label("bewilligt", exact=True).check()
    staff.get_by_role("button", name="Vorschau").click()
    assert f"Ihr Antrag {case.reference} ist bewilligt." in staff.inner_text("#notice-preview")
    assert_no_axe_violations(staff)
    staff.get_by_role("button", name="Entscheiden und Bescheid zustellen").click()
    staff.wait_for_selector("text=Der Bescheid ist im Postfach des Antragstellers.")
    assert Case.objects.get(pk=case.pk).state == Case.State.DECIDED

    # 6. the citizen opens the Bescheid from the Postfach; the status shows it — keyboard only
    page.goto(f"{base}/postfach/")
    tab_to_text(page, "Testantrag")
    page.keyboard.press("Enter")
    page.wait_for_url("**/status/**")
    assert page.inner_text("#status-headline").strip() == \
        "Über Ihren Antrag ist entschieden. Den Bescheid finden Sie unten."
    assert page.get_by_text("Siegel der Behörde geprüft").is_visible()
    assert_no_axe_violations(page)
    tab_to_text(page, "Bescheid vom")
    href = page.evaluate("() => document.activeElement.href")
    fetched = page.request.get(href)  # the PDF with the citizen's session (a download, not a page)
    assert fetched.ok and fetched.body().startswith(b"%PDF")
    assert Notice.objects.get().first_fetched_at is not None
    staff.context.close()

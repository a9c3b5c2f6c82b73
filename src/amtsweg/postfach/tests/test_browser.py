"""Browser tests: the Postfach pages pass axe-core (WCAG 2.1 AA) and work by keyboard alone."""

from __future__ import annotations

import pytest

from amtsweg.core.testing import assert_no_axe_violations

from .factories import apply, browser_citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_meine_antraege_is_accessible_and_reached_by_keyboard(live_server, page, routed_responsibility):
    page.goto(live_server.url + "/postfach/")
    assert page.get_by_role("heading", level=1).inner_text() == "Meine Anträge"
    assert_no_axe_violations(page)
    _user, client = browser_citizen(page, live_server.url)
    submission = apply(client)
    page.goto(live_server.url + "/")
    for _ in range(40):  # Tab through the page until the navigation entry has the focus, then press Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Meine Anträge":
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/postfach/")
    assert page.get_by_text("Ihr Antrag ist beim Bürgerbüro Völklingen eingegangen.").is_visible()
    assert_no_axe_violations(page)
    link = page.get_by_role("link", name=submission.public_reference).or_(page.get_by_role("link", name="Testantrag"))
    link.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/status/**")
    headline = page.locator("#status-headline").inner_text().strip()
    assert headline == "Ihr Antrag ist beim Bürgerbüro Völklingen eingegangen."
    assert_no_axe_violations(page)


def test_rueckfrage_pages_are_accessible_and_the_answer_works_by_keyboard(live_server, page, routed_responsibility,
                                                                          tmp_path):
    from django.test import Client

    from amtsweg.accounts.testing import browser_login
    from amtsweg.accounts.tests.factories import UserFactory
    from amtsweg.postfach import messages
    from amtsweg.submissions import status

    from .factories import casework_application

    submission, case = casework_application(Client(), routed_responsibility)
    worker = UserFactory(authority=case.authority)
    messages.ask(case, actor=worker, text="Bitte reichen Sie den Impfpass nach.", documents=["Impfpass"])
    page.goto(live_server.url + status.status_path(submission.public_reference))
    assert_no_axe_violations(page)
    link = page.get_by_role("link", name="Rückfrage lesen und beantworten")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/nachrichten/**")
    assert_no_axe_violations(page)
    pdf = tmp_path / "impfpass.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    page.get_by_label("Text Ihrer Antwort").focus()
    page.keyboard.type("Anbei der Impfpass.")
    page.get_by_label("Dateien").set_input_files(str(pdf))  # the file chooser itself is the browser's
    page.get_by_role("button", name="Antwort senden").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/status/**")
    assert page.get_by_text("Ihre Antwort ist bei der Behörde eingegangen.").is_visible()
    assert_no_axe_violations(page)
    browser_login(page, live_server.url, worker)
    page.goto(f"{live_server.url}/verwaltung/postfach/{case.pk}/")
    assert page.get_by_text("Anbei der Impfpass.").is_visible()
    assert_no_axe_violations(page)

"""Browser: the export links on the case page and the status page, and the exported Art. 15 page itself,
pass axe-core (WCAG 2.1 AA); the applicant reaches the download by keyboard."""

from __future__ import annotations

import zipfile

import pytest
from django.test import Client

from amtsweg.core.testing import assert_no_axe_violations

from .factories import worked_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_links_and_the_exported_page_are_accessible(live_server, page, routed_responsibility, tmp_path):
    from amtsweg.accounts.testing import browser_login
    from amtsweg.submissions import status

    submission, case, worker = worked_case(Client(), routed_responsibility)
    page.goto(live_server.url + status.status_path(submission.public_reference))
    link = page.get_by_role("link", name="Ihre gespeicherten Daten herunterladen (Auskunft nach Art. 15 DSGVO, ZIP)")
    assert_no_axe_violations(page)
    link.focus()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / "auskunft.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        archive.extractall(tmp_path / "auskunft")
    page.goto((tmp_path / "auskunft" / "auskunft.html").as_uri())
    assert page.get_by_role("heading", level=1).inner_text().startswith("Auskunft nach Art. 15 DSGVO")
    assert page.get_by_role("heading", name="Informationen nach Art. 15 DSGVO").is_visible()
    assert_no_axe_violations(page)

    browser_login(page, live_server.url, worker)
    page.goto(f"{live_server.url}/verwaltung/sachbearbeitung/vorgang/{case.pk}/")
    assert page.get_by_role("heading", name="Auskunft und Export").is_visible()
    assert page.get_by_role("link", name="Für die E-Akte exportieren (ZIP)").is_visible()
    assert_no_axe_violations(page)
    with page.expect_download() as archive_download:
        page.get_by_role("link", name="Für die E-Akte exportieren (ZIP)").click()
    assert archive_download.value.suggested_filename == f"E-Akte-{case.reference}.zip"

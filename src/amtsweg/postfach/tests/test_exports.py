"""Exports of a whole case (issue 14): the Auskunft nach Art. 15 DSGVO for staff and for the applicant, and the
e-Akte archive — complete, readable, audited, and for nobody else."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from joserfc import jws
from joserfc.jwk import ECKey

from amtsweg.accounts.models import AuditEntry
from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.casework import exports, retention
from amtsweg.casework.models import Case
from amtsweg.casework.tests.factories import TeamFactory
from amtsweg.submissions import status

from .factories import ANSWER_FILE, casework_application, login_citizen, worked_case

pytestmark = pytest.mark.django_db


def _files(response) -> dict[str, bytes]:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _signed(submission) -> list[str]:
    return [submission.public_reference, status.signature(submission.public_reference)]


@pytest.fixture
def closed_case(client, routed_responsibility):
    return worked_case(client, routed_responsibility)


def _staff(user) -> Client:
    staff = Client()
    login_staff(staff, user)
    return staff


def test_staff_art15_export_holds_every_personal_value_readably_and_is_audited(closed_case):
    submission, case, worker = closed_case
    from amtsweg.casework import services

    services.add_note(case, "Hund war beim Hausbesuch freundlich.", actor=worker)
    response = _staff(worker).get(reverse("casework:case_data_export", args=[case.pk]))
    files = _files(response)
    assert f"Auskunft-{case.reference}.zip" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    html = files["auskunft.html"].decode()
    document = json.loads(files["auskunft.json"])
    for value in ("Erika", "Mustermann", "12.08.1964", "Rathausplatz", "erika@example.org", "Bello",
                  "Bitte senden Sie den Impfpass von Bello.", "Anbei der Impfpass, Erika Mustermann."):
        assert value in html, value
        assert value in json.dumps(document, ensure_ascii=False), value
    # the information Art. 15 (1) asks for, as text
    for heading in ("Zwecke der Verarbeitung", "Empfänger", "Speicherdauer", "Herkunft der Daten", "Ihre Rechte"):
        assert heading in html
    assert "3650 Tage" in document["information"]["retention"]
    assert document["case"]["reference"] == case.reference and document["case"]["state"] == "closed"
    # the staff copy carries the internal note, marked for review before it is handed out
    assert "Hund war beim Hausbesuch freundlich." in html and "§ 34 BDSG" in html
    # the applicant's file from the answer, and the Bescheid
    answer_files = [name for name in files if name.startswith("nachrichten/")]
    assert [files[name] for name in answer_files] == [ANSWER_FILE]
    assert any(name.startswith("bescheide/") and name.endswith(".pdf") for name in files)
    entry = AuditEntry.objects.get(action="case.data_exported")
    assert entry.actor == worker and entry.details["by"] == "staff" and entry.target_id == str(case.pk)


def test_the_applicant_downloads_their_own_export_by_link_or_account_without_internal_notes(closed_case):
    submission, case, worker = closed_case
    from amtsweg.casework import services

    services.add_note(case, "Nur für die Behörde.", actor=worker)
    url = reverse("postfach:data_export", args=_signed(submission))
    page = Client().get(status.status_path(submission.public_reference)).content.decode()
    assert url in page  # offered on the status page
    by_link = Client().get(url)
    files = _files(by_link)
    assert "no-store" in by_link["Cache-Control"]
    html = files["auskunft.html"].decode()
    assert "Erika" in html and "Bello" in html and "Nur für die Behörde." not in html and "§ 34 BDSG" not in html
    assert worker.username not in html
    owner = Client()
    login_citizen(owner, subject="erika")
    _files(owner.get(url))
    assert sorted(AuditEntry.objects.filter(action="case.data_exported").values_list("details__via", flat=True)) \
        == ["account", "link"]
    # a wrong signature, another application's link: 404
    assert Client().get(reverse("postfach:data_export", args=[submission.public_reference, "falsch"])
                        ).status_code == 404


def test_another_applicants_link_opens_only_their_own_case(closed_case, routed_responsibility):
    submission, _case, _worker = closed_case
    other, _other_case = casework_application(Client(), routed_responsibility)
    html = _files(Client().get(reverse("postfach:data_export", args=_signed(other))))["auskunft.html"].decode()
    assert other.public_reference in html and submission.public_reference not in html
    assert "Impfpass" not in html


def test_e_akte_archive_of_a_closed_case_with_manifest_hashes_and_verifiable_notice(closed_case):
    _submission, case, worker = closed_case
    page = _staff(worker).get(reverse("casework:case", args=[case.pk])).content.decode()
    due = retention.deletion_due_on(case)
    assert f"wird am {due:%d.%m.%Y} automatisch gelöscht" in page
    response = _staff(worker).get(reverse("casework:case_archive", args=[case.pk]))
    files = _files(response)
    assert f"E-Akte-{case.reference}.zip" in response["Content-Disposition"]
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["format"] == exports.FORMAT
    assert manifest["case"]["reference"] == case.reference and manifest["case"]["state"] == "closed"
    assert manifest["case"]["leikaKey"] == case.leika_key and manifest["case"]["retentionDays"] == 3650
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(files)  # every file is in the manifest, and nothing else
    for path, content in files.items():
        assert listed[path]["sha256"] == hashlib.sha256(content).hexdigest(), path
        assert listed[path]["size"] == len(content)
    assert files["antrag.pdf"].startswith(b"%PDF")
    assert json.loads(files["antrag.json"])["data"]  # the answers as received
    kinds = {f["kind"] for f in manifest["files"]}
    assert {"application", "application-data", "notice", "notice-signature", "messages", "message-attachment",
            "history", "event-log"} <= kinds
    [pdf_path] = [p for p, f in listed.items() if f["kind"] == "notice"]
    assert listed[pdf_path]["meta"]["signatureValid"] is True
    proof = json.loads(files[pdf_path.replace(".pdf", ".signatur.json")])
    jws.deserialize_compact(proof["signature"], ECKey.import_key(proof["key"]), algorithms=["ES256"],
                            payload=files[pdf_path])
    history = json.loads(files["verlauf.json"])
    assert any(row.get("by") == worker.username for row in history)
    assert json.loads(files["ereignisse.json"])  # the transport's event log
    entry = AuditEntry.objects.get(action="case.archive_exported")
    assert entry.actor == worker and entry.details["files"] == len(manifest["files"]) + 1


def test_an_open_case_is_not_exported_for_the_e_akte(client, routed_responsibility):
    _submission, case = casework_application(client, routed_responsibility)
    worker = UserFactory(authority=case.authority)
    response = _staff(worker).get(reverse("casework:case_archive", args=[case.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("casework:case", args=[case.pk])
    assert "nur ein entschiedener oder abgeschlossener Vorgang" in response.content.decode()
    assert not AuditEntry.objects.filter(action="case.archive_exported").exists()
    with pytest.raises(exports.NotArchivable):
        exports.archive(case, actor=worker)


def test_other_kommune_land_operator_and_other_team_get_404(closed_case):
    _submission, case, _worker = closed_case
    team = TeamFactory(authority=case.authority)
    Case.objects.filter(pk=case.pk).update(team=team)
    other_kommune = UserFactory(authority=AuthorityFactory(), kommune_admin=True)
    land = UserFactory(land_operator=True, authority=AuthorityFactory(land_office=True))
    other_team = UserFactory(authority=case.authority)
    for user in (other_kommune, land, other_team):
        staff = _staff(user)
        for name in ("casework:case_data_export", "casework:case_archive"):
            assert staff.get(reverse(name, args=[case.pk])).status_code == 404, (user, name)
    member = UserFactory(authority=case.authority)
    team.members.add(member)
    assert _staff(member).get(reverse("casework:case_archive", args=[case.pk])).status_code == 200
    assert not AuditEntry.objects.filter(action="case.data_exported").exists()

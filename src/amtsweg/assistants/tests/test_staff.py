"""Staff pages: who may see and change forms, preview, JSON export/import, FIM upload with precise errors."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.assistants.models import FormDefinition, FormVersion

from .factories import FormVersionFactory, sample_definition, t

pytestmark = pytest.mark.django_db
FIM = Path(__file__).parent / "fim" / "xdatenfelder-beispiele"
WBK = Path(__file__).resolve().parents[1] / "data" / "fim" / "S00000036_Waffenbesitzkarte_xdf1.xml"


@pytest.fixture
def signed_in_operator(client):
    user = UserFactory(land_operator=True)
    login_staff(client, user)
    return user


@pytest.fixture
def kommune_staff(client):
    user = UserFactory()
    login_staff(client, user)
    return user


def test_anonymous_and_citizens_are_kept_out(client):
    assert client.get(reverse("assistants:staff_list")).status_code == 302
    client.force_login(UserFactory(citizen=True))
    assert client.get(reverse("assistants:staff_list")).status_code == 403


def test_kommune_staff_may_look_and_preview_but_not_change(client, kommune_staff):
    version = FormVersionFactory(form__slug="hund")
    assert "Testantrag" in client.get(reverse("assistants:staff_list")).content.decode()
    page = client.get(reverse("assistants:staff_detail", args=["hund"])).content.decode()
    assert "Vorschau" in page and "Veröffentlichen" not in page
    assert client.get(reverse("assistants:staff_preview", args=["hund", version.number])).status_code == 200
    assert client.post(reverse("assistants:staff_publish", args=["hund", version.number])).status_code == 403
    assert client.get(reverse("assistants:staff_edit", args=["hund", version.number])).status_code == 403
    assert client.get(reverse("assistants:staff_fim")).status_code == 403


def test_preview_validates_without_storing(client, kommune_staff):
    version = FormVersionFactory(form__slug="hund")
    url = reverse("assistants:staff_preview_step", args=["hund", version.number, "person"])
    body = client.post(url, {"given_name": ""}).content.decode()
    assert "Bitte füllen Sie das Feld „Vorname“ aus." in body and "Vorschau von Version" in body
    assert 'role="alert"' in body


def _repeating_definition() -> dict:
    return {"schema_version": 1, "title": t("Waffen"), "steps": [{"id": "waffen", "title": t("Waffen"), "fieldsets": [
        {"id": "person", "fields": [{"id": "vorname", "type": "text", "label": t("Vorname"), "required": True,
                                     "repeat": {"min": 1, "max": 3}}]},
        {"id": "waffe", "legend": t("Waffe"), "repeat": {"min": 0, "max": 3},
         "fields": [{"id": "art", "type": "text", "label": t("Waffenart"), "required": True}]}]}]}


def test_preview_adds_and_removes_entries_like_the_assistant(client, kommune_staff):
    """The form editors try FIM's repeatable groups in the preview: its „hinzufügen“ and „Eintrag entfernen“
    buttons only validated the step before, so no second entry could be tried."""
    version = FormVersionFactory(form__slug="wbk", definition=_repeating_definition())
    url = reverse("assistants:staff_preview_step", args=["wbk", version.number, "waffen"])
    added = client.post(url, {"action": "add:vorname", "vorname-0": "Max"}).content.decode()
    assert 'name="vorname-1"' in added and 'value="Max"' in added and 'role="alert"' not in added
    entries = client.post(url, {"action": "add:fieldset:waffe", "vorname-0": "Max", "art-0": "Pistole"})
    assert 'name="art-1"' in entries.content.decode()
    removed = client.post(url, {"action": "remove:waffe:0", "vorname-0": "Max", "art-0": "Pistole",
                                "art-1": "Revolver", "waffe-count": "2"}).content.decode()
    assert 'value="Revolver"' in removed and 'value="Pistole"' not in removed
    valid = client.post(url, {"action": "next", "vorname-0": "Max", "art-0": "Pistole"}).content.decode()
    assert "Eingaben dieses Schritts sind gültig" in valid


def test_operator_edits_publishes_and_cannot_change_published(client, signed_in_operator):
    version = FormVersionFactory(form__slug="hund")
    edit_url = reverse("assistants:staff_edit", args=["hund", version.number])
    bad = client.post(edit_url, {"definition": '{"schema_version": 1}'})
    assert bad.status_code == 400 and "&#x27;title&#x27; is a required property" in bad.content.decode()
    changed = sample_definition()
    changed["title"]["de"] = "Hundesteuer"
    assert client.post(edit_url, {"definition": json.dumps(changed)}).status_code == 302
    assert client.post(reverse("assistants:staff_publish", args=["hund", version.number])).status_code == 302
    version.refresh_from_db()
    assert version.is_published and version.definition["title"]["de"] == "Hundesteuer"
    response = client.post(edit_url, {"definition": json.dumps(sample_definition())}, follow=True)
    assert "kann nicht geändert werden" in response.content.decode()
    assert FormVersion.objects.get(pk=version.pk).definition["title"]["de"] == "Hundesteuer"
    client.post(reverse("assistants:staff_new_version", args=["hund"]))
    assert version.form.versions.count() == 2


def test_export_and_import_through_the_ui(client, signed_in_operator):
    version = FormVersionFactory(form__slug="hund", published=True)
    exported = client.get(reverse("assistants:staff_export", args=["hund", version.number]))
    assert exported["Content-Disposition"] == f'attachment; filename="hund-v{version.number}.json"'
    data = json.loads(exported.content)
    data["form"]["slug"] = "hund-kopie"
    upload = SimpleUploadedFile("hund.json", json.dumps(data).encode())
    response = client.post(reverse("assistants:staff_import"), {"file": upload, "publish": "yes"})
    assert response.status_code == 302
    assert FormDefinition.objects.get(slug="hund-kopie").published_version().definition == version.definition
    broken = client.post(reverse("assistants:staff_import"), {"file": SimpleUploadedFile("x.json", b"{")})
    assert broken.status_code == 400 and "kein gültiges JSON" in broken.content.decode()


def test_fim_upload_imports_and_shows_notes(client, signed_in_operator):
    upload = SimpleUploadedFile("wbk.xml", WBK.read_bytes(), content_type="text/xml")
    response = client.post(reverse("assistants:staff_fim"), {"file": upload, "leika": "99089086000000",
                                                             "slug": "waffenbesitzkarte"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "XDatenfelder 1.0 S00000036" in page and "C00000004" in page and "Entwurf" in page


def test_fim_upload_refuses_with_what_and_where(client, signed_in_operator):
    upload = SimpleUploadedFile("x.xml", (FIM / "v3" / "unexpected-node.xml").read_bytes())
    response = client.post(reverse("assistants:staff_fim"), {"file": upload, "leika": "99089086000000"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Unerwartetes Element &lt;xdf:unknown&gt; in &lt;xdf:identifikation&gt;" in body and "Zeile 11" in body
    response = client.post(reverse("assistants:staff_fim"), {"file": SimpleUploadedFile("x.xml", b"<x/>"),
                                                             "leika": "123"})
    assert "14 Ziffern" in response.content.decode()

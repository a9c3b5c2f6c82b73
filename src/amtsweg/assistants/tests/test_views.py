"""The assistant over HTTP (Django test client): steps, errors, conditions, drafts, uploads, submission."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amtsweg.assistants import services
from amtsweg.assistants.models import Draft, DraftFile, Receipt
from amtsweg.geo.tests.factories import MunicipalityFactory, PostcodeAreaFactory

from .factories import FormDefinitionFactory, FormVersionFactory
from .flows import DETAILS, PDF, PERSON, complete_until_summary, start, submit_application

pytestmark = pytest.mark.django_db

def test_start_page_and_place_resolution(client, published, postcode):
    page = client.get(reverse("assistants:start", args=["testantrag"]))
    assert "Antrag starten" in page.content.decode()
    place_url = start(client)
    page = client.get(place_url)
    assert "Schritt 1 von 5" in page.content.decode()
    response = client.post(place_url, {"postcode": "99999", "action": "next"})
    body = response.content.decode()
    assert 'role="alert"' in body and "Zu dieser Postleitzahl kennen wir keine Gemeinde" in body
    response = client.post(place_url, {"postcode": "66111", "action": "next"})
    assert response.status_code == 302 and "/schritt/person/" in response["Location"]
    draft = Draft.objects.get()
    place = services.load_state(draft).place
    assert place.pop("office")["name"] == "Teststelle"  # the responsible office, resolved at the place step
    assert place == {"postcode": "66111", "ars": postcode.municipality.ars, "name": "Saarbrücken"}


def test_postcode_with_several_gemeinden_asks_to_choose(client, published):
    first = PostcodeAreaFactory(postcode="66557", municipality__name="Illingen")
    second = PostcodeAreaFactory(postcode="66557", municipality=MunicipalityFactory(name="Merchweiler"))
    place_url = start(client)
    page = client.post(place_url, {"postcode": "66557", "action": "next"}).content.decode()
    assert "mehrere Gemeinden" in page and "Illingen" in page and "Merchweiler" in page
    page = client.post(place_url, {"postcode": "66557", "choose": "1", "action": "next"}).content.decode()
    assert "Bitte wählen Sie Ihre Gemeinde aus." in page
    response = client.post(place_url, {"postcode": "66557", "ars": second.municipality.ars, "action": "next"})
    assert response.status_code == 302
    assert services.load_state(Draft.objects.get()).place["ars"] == second.municipality.ars
    assert first.municipality.ars != second.municipality.ars


def test_errors_at_field_and_in_summary(client, published, postcode):
    place_url = start(client)
    step_url = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    body = client.get(step_url).content.decode()
    assert "Schritt 2 von 5" in body
    response = client.post(step_url, dict(PERSON, given_name="", email="erika@"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in body and 'role="alert"' in body
    assert '<a class="kern-link" href="#f-given_name">Bitte füllen Sie das Feld „Vorname“ aus.</a>' in body
    assert 'href="#f-email"' in body
    assert re.search(r'id="f-given_name"[^>]*aria-describedby="f-given_name-error"[^>]*aria-invalid="true"', body)
    assert 'id="f-given_name-error"' in body
    assert 'value="erika@"' in body  # what was typed is kept
    # Back in the browser after the error, then forward to the step again: the valid answers are still there
    again = client.get(step_url).content.decode()
    assert 'value="Mustermann"' in again and 'value="Rathausplatz"' in again
    assert client.post(step_url, dict(PERSON))["Location"].endswith("/schritt/details/")  # resubmit works
    assert "<title>Fehler:" in body


def test_full_application_submits_once_and_deletes_the_draft(client, published, postcode, test_intake):
    summary_url = complete_until_summary(client)
    body = client.get(summary_url).content.decode()
    assert "Erika" in body and "12.08.1964" in body and "Blau" in body and "Schritt 5 von 5" in body
    page = client.post(summary_url, {})
    assert "Bitte bestätigen Sie" in page.content.decode()
    response = client.post(summary_url, {"declaration": "yes"})
    assert response.status_code == 302
    receipt = Receipt.objects.get()
    assert response["Location"] == reverse("assistants:receipt", args=[receipt.id])
    (payload,) = test_intake
    assert payload.leika_key == "99102013000000" and payload.form_slug == "testantrag"
    assert payload.applicant_ars == postcode.municipality.ars and payload.applicant_email == "erika@example.org"
    assert payload.data["has_pet"] is True and payload.data["pet_name"] == "Bello" and payload.data["count"] == 2
    assert payload.data["birth_date"] == "1964-08-12"
    assert not Draft.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "AW-TEST-0001" in page and "Ihr Antrag ist eingegangen" in page
    pdf = client.get(reverse("assistants:receipt_pdf", args=[receipt.id]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # reloading the summary (or posting again) does not submit twice: it says so and links the receipt
    again = client.post(summary_url, {"declaration": "yes"})
    assert again.status_code == 200 and "Dieser Antrag wurde bereits abgeschickt" in again.content.decode()
    assert f'href="{reverse("assistants:receipt", args=[receipt.id])}"' in again.content.decode()
    assert len(test_intake) == 1
    # another browser cannot see the receipt
    client.logout()
    client.cookies.clear()
    assert client.get(reverse("assistants:receipt", args=[receipt.id])).status_code == 404


def test_back_after_submitting_says_the_application_was_sent_and_links_the_receipt(client, published, postcode,
                                                                                    test_intake):
    """Browser history after the receipt leads to the draft's pages, whose draft is gone: a walk met a 404
    there (issue 16). Every page of the draft now says it was sent, with the reference and the receipt."""
    place_url = start(client)
    step1 = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    step2 = client.post(step1, PERSON)["Location"]
    summary_url = client.post(client.post(step2, DETAILS)["Location"], {"action": "next"})["Location"]
    receipt_url = client.post(summary_url, {"declaration": "yes"})["Location"]
    receipt = Receipt.objects.get()
    saved_url = summary_url.replace("/pruefen/", "/gespeichert/")
    for url in (summary_url, step2, step1, place_url, saved_url):
        page = client.get(url)
        body = page.content.decode()
        assert page.status_code == 200, url
        assert "Dieser Antrag wurde bereits abgeschickt" in body and receipt.reference in body, url
        assert f'href="{receipt_url}"' in body, url
        assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    assert len(test_intake) == 1
    client.cookies.clear()  # another browser learns nothing about it
    assert client.get(summary_url).status_code == 404 and client.get(step1).status_code == 404


def test_step_saved_while_the_application_is_submitted_does_not_recreate_the_draft(client, published, postcode,
                                                                                   test_intake, monkeypatch):
    """A step posted at the moment the same application is submitted: the save used to find no row and insert
    one, an orphan encrypted draft of an application already sent, which could be submitted again. The save
    now only updates; the citizen is told the application was sent, and the submission stays as it was."""
    place_url = start(client)
    step1 = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    step2 = client.post(step1, PERSON)["Location"]
    client.post(client.post(step2, DETAILS)["Location"], {"action": "next"})
    draft_id = Draft.objects.get().id
    store_step = services.store_step

    def submitted_meanwhile(draft, *args, **kwargs):  # the view has loaded the draft; the submission commits now
        services.submit_draft(draft.id)
        store_step(draft, *args, **kwargs)

    monkeypatch.setattr(services, "store_step", submitted_meanwhile)
    page = client.post(step1, {**PERSON, "given_name": "Erik"})
    body = page.content.decode()
    receipt = Receipt.objects.get()
    assert page.status_code == 200 and "Dieser Antrag wurde bereits abgeschickt" in body
    assert receipt.reference in body and f'href="{reverse("assistants:receipt", args=[receipt.id])}"' in body
    assert not Draft.objects.exists() and not Draft.objects.filter(pk=draft_id).exists()
    (payload,) = test_intake
    assert receipt.draft_key == draft_id and payload.data["given_name"] == "Erika"
    client.cookies.clear()  # a browser that never had the draft: the same 404 as for any unknown draft
    assert client.post(step1, PERSON).status_code == 404


@pytest.mark.django_db(transaction=True)  # committed as in production: a file of a gone draft breaks its FK
def test_upload_saved_while_the_application_is_submitted_leaves_no_file(client, published, postcode, test_intake,
                                                                         monkeypatch):
    """The same race on the upload step: the draft's row is written first, so a gone draft stores no file
    (whose foreign key would fail with a server error) and the citizen is told the application was sent."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    evidence_url = _to_evidence(client)
    client.post(evidence_url, {"action": "next"})
    store_step = services.store_step

    def submitted_meanwhile(draft, *args, **kwargs):
        services.submit_draft(draft.id)
        store_step(draft, *args, **kwargs)

    monkeypatch.setattr(services, "store_step", submitted_meanwhile)
    upload = SimpleUploadedFile("nachweis.pdf", PDF, content_type="application/pdf")
    page = client.post(evidence_url, {"action": "next", "document": upload})
    assert page.status_code == 200 and "Dieser Antrag wurde bereits abgeschickt" in page.content.decode()
    assert not Draft.objects.exists() and not DraftFile.objects.exists() and Receipt.objects.count() == 1
    assert len(test_intake) == 1


def test_saving_a_draft_that_is_gone_raises_instead_of_inserting(published, postcode, test_intake, client):
    complete_until_summary(client)
    draft = Draft.objects.get()
    state = services.load_state(draft)  # as the step's save loads it
    services.submit_draft(draft.id)
    state.answers["given_name"] = "Erik"
    with pytest.raises(services.DraftGone):
        services.save_state(draft, state)
    assert not Draft.objects.exists() and Receipt.objects.count() == 1


def test_submit_is_idempotent_per_draft(published, postcode, test_intake, client):
    complete_until_summary(client)
    draft = Draft.objects.get()
    first = services.submit_draft(draft.id)
    second = services.submit_draft(draft.id)
    assert first.pk == second.pk and len(test_intake) == 1


def test_failing_hand_over_keeps_the_draft(client, published, postcode, settings):
    settings.AMTSWEG_SUBMISSION_INTAKE = "amtsweg.assistants.tests.intake.refuse"
    summary_url = complete_until_summary(client)
    response = client.post(summary_url, {"declaration": "yes"}, follow=True)
    body = response.content.decode()
    assert "konnte gerade nicht übermittelt werden" in body and "Ihre Angaben sind gespeichert" in body
    draft = Draft.objects.get()
    assert services.load_state(draft).answers["given_name"] == "Erika"
    assert not Receipt.objects.exists()


def test_hidden_conditional_answers_are_dropped(client, published, postcode, test_intake):
    summary_url = complete_until_summary(client)
    draft = Draft.objects.get()
    details_url = reverse("assistants:step", args=["testantrag", draft.id, "details"]) + "?ziel=pruefen"
    response = client.post(details_url, dict(DETAILS, has_pet="nein", pet_name="Bello"))
    assert response["Location"] == summary_url
    assert "pet_name" not in services.load_state(Draft.objects.get()).answers
    assert "Bello" not in client.get(summary_url).content.decode()


def test_steps_hidden_by_conditions_are_skipped(client, postcode, test_intake):
    from .factories import sample_definition

    definition = sample_definition()
    definition["steps"][2]["visible_if"] = {"field": "has_pet", "equals": True}
    FormVersionFactory(published=True, form__slug="testantrag", definition=definition)
    place_url = start(client)
    step1 = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    step2 = client.post(step1, PERSON)["Location"]
    assert "Schritt 3 von 4" in client.get(step2).content.decode()  # "evidence" is hidden until has_pet = yes
    after = client.post(step2, dict(DETAILS, has_pet="nein"))["Location"]
    assert after.endswith("/pruefen/")
    assert "Schritt 4 von 4" in client.get(after).content.decode()
    start_page = client.get(reverse("assistants:start", args=["testantrag"])).content.decode()
    assert "(nur falls zutreffend)" in start_page  # the hidden step is announced as conditional


def test_step_count_is_the_same_on_start_page_every_step_and_summary(client, published, postcode):
    """Place + form steps + summary everywhere: the last form step is not "n von n" before the summary."""
    start_page = client.get(reverse("assistants:start", args=["testantrag"])).content.decode()
    listed = re.search(r'<ol class="kern-list kern-list--number">(.*?)</ol>', start_page, re.S).group(1)
    total = listed.count("<li>")
    counts = []
    url = start(client)
    answers = [{"postcode": "66111", "action": "next"}, PERSON, DETAILS, {"action": "next"}]
    for posted in answers:
        counts.append(re.search(r"Schritt (\d+) von (\d+)", client.get(url).content.decode()).groups())
        url = client.post(url, posted)["Location"]
    assert url.endswith("/pruefen/")
    counts.append(re.search(r"Schritt (\d+) von (\d+)", client.get(url).content.decode()).groups())
    assert counts == [(str(n), str(total)) for n in range(1, total + 1)]
    assert total == 5


def test_draft_is_encrypted_at_rest(client, published, postcode):
    complete_until_summary(client)
    draft = Draft.objects.get()
    raw = bytes(Draft.objects.values_list("ciphertext", flat=True).get())
    assert b"Mustermann" not in raw and b"Erika" not in raw
    assert services.load_state(draft).answers["family_name"] == "Mustermann"
    draft.ciphertext = raw[:-1] + bytes([raw[-1] ^ 1])
    draft.save()
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        services.load_state(draft)


def test_save_and_resume_with_signed_link_by_email(client, published, postcode, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    place_url = start(client)
    step1 = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    response = client.post(step1, dict(PERSON, action="save", family_name=""))
    saved_url = response["Location"]
    page = client.get(saved_url).content.decode()
    link = re.search(r'href="(http://testserver/antrag/fortsetzen/[^"]+)"', page).group(1)
    page = client.post(saved_url, {"email": "kein-at"}).content.decode()
    assert "name@beispiel.de" in page
    client.post(saved_url, {"email": "erika@example.org"})
    (message,) = mail.outbox
    assert message.to == ["erika@example.org"]
    assert services.draft_from_token(link.rsplit("/", 2)[-2]) == Draft.objects.get()
    # the link in the mail is signed anew (timestamped), so it may differ from the page's; both work
    link = re.search(r"(http://testserver/antrag/fortsetzen/\S+/)", message.body).group(1)
    # a new browser resumes with the link; valid answers were kept, the invalid one was not
    client.cookies.clear()
    response = client.get(link.removeprefix("http://testserver"))
    assert response.status_code == 302 and "/schritt/person/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert 'value="Erika"' in page
    # tampered or unknown links are refused
    assert client.get(reverse("assistants:resume", args=["x" + link.rsplit("/", 2)[-2]])).status_code == 404


def test_resume_link_expires(published, postcode):
    from django.core import signing

    draft = services.create_draft(published)
    token = services.resume_token(draft)
    assert services.draft_from_token(token) == draft
    original = signing.loads
    try:
        signing.loads = lambda *a, **k: original(*a, **{**k, "max_age": -1})
        assert services.draft_from_token(token) is None
    finally:
        signing.loads = original


def test_foreign_draft_is_not_found(client, published, postcode):
    place_url = start(client)
    client.cookies.clear()
    assert client.get(place_url).status_code == 404


def _to_evidence(client) -> str:
    place_url = start(client)
    step1 = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    step2 = client.post(step1, PERSON)["Location"]
    return client.post(step2, DETAILS)["Location"]


def test_upload_checked_by_content_and_size(client, published, postcode, test_intake):
    from django.core.files.uploadedfile import SimpleUploadedFile

    evidence_url = _to_evidence(client)
    fake = SimpleUploadedFile("ausweis.pdf", b"MZ\x90\x00this is an exe", content_type="application/pdf")
    body = client.post(evidence_url, {"action": "next", "document": fake}).content.decode()
    assert "Diese Datei ist kein erlaubter Dateityp. Erlaubt sind: PDF, PNG, JPEG." in body
    big = SimpleUploadedFile("gross.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1), content_type="application/pdf")
    body = client.post(evidence_url, {"action": "next", "document": big}).content.decode()
    assert "Die Datei ist zu groß" in body
    good = SimpleUploadedFile("nachweis.txt", PDF, content_type="text/plain")
    response = client.post(evidence_url, {"action": "next", "document": good})
    assert response.status_code == 302
    stored = DraftFile.objects.get()
    assert stored.content_type == "application/pdf" and PDF not in bytes(stored.ciphertext)
    # the file survives a visit without a new upload, then travels as an attachment
    assert client.post(evidence_url, {"action": "next"}).status_code == 302
    client.post(response["Location"], {"declaration": "yes"})
    (payload,) = test_intake
    (attachment,) = payload.attachments
    assert attachment.content == PDF and attachment.filename == "nachweis.txt"
    assert payload.data["document"] == {"filename": "nachweis.txt", "content_type": "application/pdf",
                                        "size": len(PDF)}
    assert not DraftFile.objects.exists()


def test_repeatable_field_can_grow_without_javascript(client, published, postcode):
    place_url = start(client)
    step1 = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    step2 = client.post(step1, PERSON)["Location"]
    body = client.get(step2).content.decode()
    assert 'name="nicknames-0"' in body and 'name="nicknames-1"' not in body
    body = client.post(step2, dict(DETAILS, action="add:nicknames", **{"nicknames-0": "Wuff"})).content.decode()
    assert 'name="nicknames-1"' in body and 'value="Wuff"' in body


def test_form_with_fee_needs_payment_module(client, postcode, settings, test_intake):
    FormVersionFactory(published=True, form=FormDefinitionFactory(slug="testantrag", with_fee=True))
    settings.AMTSWEG_PAYMENT_MODULE = "amtsweg.nowhere.payments"  # no installed app provides it
    summary_url = complete_until_summary(client)
    assert "10,00 €" in client.get(summary_url).content.decode()
    response = client.post(summary_url, {"declaration": "yes"}, follow=True)
    assert "Die Bezahlung ist zurzeit nicht möglich" in response.content.decode()
    assert Draft.objects.exists() and not test_intake


def test_unpublished_form_is_not_offered(client, db):
    FormVersionFactory(form__slug="entwurf")
    assert client.get(reverse("assistants:start", args=["entwurf"])).status_code == 404
    assert "entwurf" not in client.get(reverse("assistants:list")).content.decode()


def test_end_to_end_with_the_real_intake(client, published, settings, tmp_path):
    from amtsweg.routing.tests.factories import ResponsibilityFactory
    from amtsweg.submissions.models import Submission

    settings.MEDIA_ROOT = tmp_path
    settings.AMTSWEG_SUBMISSION_INTAKE = "amtsweg.submissions.intake.accept_form_submission"
    responsibility = ResponsibilityFactory(leika_key="99102013000000")
    PostcodeAreaFactory(postcode="66111", municipality=responsibility.authority.municipality)
    summary_url = complete_until_summary(client)
    response = client.post(summary_url, {"declaration": "yes"})
    receipt = Receipt.objects.get()
    assert response["Location"].endswith(f"/eingang/{receipt.id}/")
    assert Submission.objects.count() == 1
    assert receipt.reference.startswith("AW-")


def test_assistant_in_english(client, published, postcode):
    client.cookies["django_language"] = "en"
    place_url = start(client)
    step_url = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    body = client.post(step_url, dict(PERSON, given_name="")).content.decode()
    assert "Step 2 of 5" in body and "Please correct 1 entry" in body
    assert "Please fill in “Given name”." in body and "About you" in body


def test_expired_drafts_are_gone_and_purged(client, published, postcode):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    place_url = start(client)
    Draft.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(place_url).status_code == 404
    call_command("purge_drafts")
    assert not Draft.objects.exists()


def test_receipt_links_to_the_status_page_and_says_it_was_mailed(client, published, postcode, test_intake,
                                                                  settings):
    settings.AMTSWEG_STATUS_LINK = "amtsweg.assistants.tests.intake.status_link"
    receipt_url = submit_application(client)
    body = client.get(receipt_url).content.decode()
    url = "http://testserver/status/AW-TEST-0001/signatur/"
    assert f'Den Bearbeitungsstand Ihres Antrags sehen Sie hier: <a class="kern-link status-link" href="{url}">' in body
    assert "Diesen Link haben wir Ihnen auch per E-Mail" in body
    pdf = client.get(reverse("assistants:receipt_pdf", args=[Receipt.objects.get().id])).content
    # the link annotation in the PDF receipt (kept, so built on the public base URL, not the request's host)
    assert f"/URI ({settings.PUBLIC_BASE_URL}/status/AW-TEST-0001/signatur/)".encode() in pdf


def test_receipt_without_email_does_not_claim_a_mail(client, published, postcode, test_intake, settings):
    settings.AMTSWEG_STATUS_LINK = "amtsweg.assistants.tests.intake.status_link"
    place_url = start(client)
    step1 = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    step2 = client.post(step1, dict(PERSON, email=""))["Location"]
    step3 = client.post(step2, DETAILS)["Location"]
    summary_url = client.post(step3, {"action": "next"})["Location"]
    assert summary_url.endswith("/pruefen/"), "e-mail must be optional in the sample form"
    body = client.get(client.post(summary_url, {"declaration": "yes"})["Location"]).content.decode()
    assert "Den Bearbeitungsstand Ihres Antrags sehen Sie hier" in body
    assert "per E-Mail" not in body and "Bitte speichern Sie diesen Link" in body


@pytest.mark.parametrize("hook", ["amtsweg.assistants.tests.intake.broken_status_link", "amtsweg.nowhere.link"])
def test_receipt_without_a_status_link_still_shows(client, published, postcode, test_intake, settings, hook):
    settings.AMTSWEG_STATUS_LINK = hook
    receipt_url = submit_application(client)
    response = client.get(receipt_url)
    assert response.status_code == 200 and "AW-TEST-0001" in response.content.decode()
    assert "Bearbeitungsstand" not in response.content.decode()
    pdf = client.get(reverse("assistants:receipt_pdf", args=[Receipt.objects.get().id]))
    assert pdf.status_code == 200 and b"/URI" not in pdf.content


def test_step_page_renders_the_maximum_lengths_the_server_enforces(client, published, postcode):
    place_url = start(client)
    step_url = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    body = client.get(step_url).content.decode()
    for name, limit in [("given_name", 50), ("family_name", 200), ("email", 254), ("phone", 30), ("birth_date", 10),
                        ("address-street", 100), ("address-house_number", 20), ("address-postcode", 5),
                        ("address-place", 100)]:
        assert re.search(rf'<input [^>]*name="{name}"[^>]*maxlength="{limit}"', body), name
    body = client.post(step_url, dict(PERSON, family_name="M" * 300_000)).content.decode()
    assert "Bitte geben Sie höchstens 200 Zeichen ein (jetzt: 300000)." in body
    step2 = client.post(step_url, PERSON)["Location"]
    body = client.get(step2).content.decode()
    assert re.search(r'<textarea [^>]*name="remarks"[^>]*maxlength="500"', body)
    assert re.search(r'<input [^>]*name="nicknames-0"[^>]*maxlength="200"', body)


def test_save_and_resume_mails_are_rate_limited_per_address_and_per_client(client, published, postcode, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AMTSWEG_MAIL_LIMIT_PER_ADDRESS, settings.AMTSWEG_MAIL_LIMIT_PER_CLIENT = "2/h", "4/h"
    place_url = start(client)
    saved_url = client.post(place_url, {"postcode": "66111", "action": "save"})["Location"]
    assert all(client.post(saved_url, {"email": "opfer@example.org"}).status_code == 200 for _ in range(2))
    refused = client.post(saved_url, {"email": "opfer@example.org"})
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "zu viele E-Mails angefordert" in body and 'role="alert"' in body
    # a limit is not a wrong entry: no "Bitte korrigieren Sie 1 Angabe", the field is not marked invalid
    assert "Bitte korrigieren Sie" not in body and 'aria-invalid="true"' not in body
    assert "Der Link wurde nicht gesendet" in body
    assert "/antrag/fortsetzen/" in body  # the link stays on the page to copy
    assert client.post(saved_url, {"email": "zweite@example.org"}).status_code == 200
    assert client.post(saved_url, {"email": "dritte@example.org"}).status_code == 429  # 5th from this client
    assert [m.to for m in mail.outbox] == [["opfer@example.org"]] * 2 + [["zweite@example.org"]]


def test_status_link_mail_over_the_limit_is_not_sent_and_the_receipt_says_so(client, published, postcode,
                                                                              test_intake, settings):
    settings.AMTSWEG_STATUS_LINK = "amtsweg.assistants.tests.intake.status_link"
    settings.AMTSWEG_MAIL_LIMIT_PER_ADDRESS = "1/h"
    from amtsweg.core.ratelimit import mail_allowed

    assert mail_allowed(None, "erika@example.org")  # someone used up the address's mails
    body = client.get(submit_application(client)).content.decode()
    (payload,) = test_intake
    assert payload.applicant_email == "erika@example.org" and payload.mail_status_link is False
    assert "per E-Mail" not in body and "Bitte speichern Sie diesen Link" in body


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_a_draft_is_looked_up_by_key_without_sorting(client, published, postcode, django_assert_num_queries):
    """Every page of the form and the submission look the draft up by its primary key: one row at most, so no
    ORDER BY (the model's default sort by `updated_at` cost CPU on every page, issue 18)."""
    place_url = start(client)
    person_url = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    client.get(person_url)  # the session's first read
    with django_assert_num_queries(2) as captured:  # session, draft
        assert client.get(person_url).status_code == 200
    draft_queries = [q["sql"] for q in captured.captured_queries if 'FROM "assistants_draft"' in q["sql"]]
    assert len(draft_queries) == 1
    assert "ORDER BY" not in draft_queries[0]
    summary_url = complete_until_summary(client)
    with CaptureQueriesContext(connection) as submitted:
        assert client.post(summary_url, {"declaration": "yes"}).status_code == 302
    draft_queries = [q["sql"] for q in submitted.captured_queries if 'FROM "assistants_draft"' in q["sql"]]
    assert len(draft_queries) == 2  # the page's lookup, the submission's (locked where the database can)
    assert not [sql for sql in draft_queries if "ORDER BY" in sql]


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_a_step_costs_few_statements(client, published, postcode, django_assert_num_queries):
    """Every citizen page on a deadline day (issue 18): the start page reads the published version with its form,
    showing a step reads the session and the draft (with its form), saving a step without uploads writes the
    draft, nothing else; a step with uploads also removes files no longer answered, in one transaction."""
    with django_assert_num_queries(1):  # the published version with its form
        assert client.get(reverse("assistants:start", args=["testantrag"])).status_code == 200
    place_url = start(client)
    person_url = client.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    client.get(person_url)  # the session's first read is not what is counted
    with django_assert_num_queries(2):  # session, draft
        assert client.get(person_url).status_code == 200
    with django_assert_num_queries(3):  # session, draft, draft saved
        details_url = client.post(person_url, PERSON)["Location"]
    evidence_url = client.post(details_url, DETAILS)["Location"]
    # session, draft, draft saved, files no longer answered; in one transaction (here a savepoint and its
    # release, in production BEGIN/COMMIT): the draft's row before its files, so a save racing the submission
    # neither stores a file of a gone draft nor lets the submission read answers naming a file not yet stored
    with django_assert_num_queries(6):
        assert client.post(evidence_url, {"action": "next"}).status_code == 302

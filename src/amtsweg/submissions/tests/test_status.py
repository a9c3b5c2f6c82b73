"""The applicant's status page as reached from the assistant: the receipt's link and the form's title."""

from __future__ import annotations

import pytest
from django.test import Client

from amtsweg.assistants.models import Receipt
from amtsweg.assistants.tests.factories import FormVersionFactory
from amtsweg.assistants.tests.flows import complete_until_summary
from amtsweg.geo.tests.factories import PostcodeAreaFactory
from amtsweg.routing.tests.factories import ResponsibilityFactory
from amtsweg.submissions import status
from amtsweg.submissions.models import Submission
from amtsweg.submissions.tests.factories import SubmissionFactory, payload_for, submit_payload

pytestmark = pytest.mark.django_db


def _meldebescheinigung(responsibility):
    definition = FormVersionFactory.build().definition
    definition["title"] = {"de": "Meldebescheinigung beantragen", "en": "Apply for a certificate of registration"}
    return FormVersionFactory(published=True, form__slug="meldebescheinigung", form__leika_key=responsibility.leika_key,
                              definition=definition)


def test_status_link_hook_gives_the_signed_path_only_for_existing_submissions():
    submission = submit_payload(payload_for(ResponsibilityFactory()))
    path = status.status_link(submission.public_reference)
    assert path == status.status_path(submission.public_reference)
    assert Client().get(path).status_code == 200
    assert status.status_link("AW-ZZZZ-ZZZZ-ZZZZ") is None


def test_status_page_names_the_form_the_citizen_filled_in():
    responsibility = ResponsibilityFactory(leika_key="99115004001005")
    version = _meldebescheinigung(responsibility)
    payload = payload_for(responsibility, form_slug="meldebescheinigung", form_version=version.number)
    submission = submit_payload(payload)
    assert (submission.form_slug, submission.form_version) == ("meldebescheinigung", version.number)
    submission.service_name = "Melderegisterauskunft - Erteilung Selbstauskunft"
    submission.save(update_fields=["service_name"])
    html = Client().get(status.status_path(submission.public_reference)).content.decode()
    assert "Meldebescheinigung beantragen" in html and "Melderegisterauskunft" not in html
    english = Client()
    english.cookies["django_language"] = "en"
    html = english.get(status.status_path(submission.public_reference)).content.decode()
    assert "Apply for a certificate of registration" in html


def test_status_page_of_an_api_submission_names_the_service():
    submission = SubmissionFactory(service_name="Melderegisterauskunft - Erteilung Selbstauskunft",
                                   status=Submission.Status.SUBMITTED)
    html = Client().get(status.status_path(submission.public_reference)).content.decode()
    assert "Melderegisterauskunft - Erteilung Selbstauskunft" in html


def test_receipt_of_the_assistant_links_to_the_status_page(client, settings, mailoutbox,
                                                            django_capture_on_commit_callbacks):
    settings.AMTSWEG_SUBMISSION_INTAKE = "amtsweg.submissions.intake.accept_form_submission"
    place = PostcodeAreaFactory(postcode="66111", municipality__name="Saarbrücken")
    responsibility = ResponsibilityFactory(area_ars=place.municipality.ars)
    FormVersionFactory(published=True, form__slug="testantrag", form__title="Testantrag",
                       form__leika_key=responsibility.leika_key)
    summary_url = complete_until_summary(client)
    with django_capture_on_commit_callbacks(execute=True):
        receipt_url = client.post(summary_url, {"declaration": "yes"})["Location"]
    submission = Submission.objects.get()
    assert submission.public_reference == Receipt.objects.get().reference
    assert submission.form_slug == "testantrag"
    body = client.get(receipt_url).content.decode()
    link = "http://testserver" + status.status_path(submission.public_reference)
    assert f'href="{link}"' in body and "Diesen Link haben wir Ihnen auch per E-Mail" in body
    (mail,) = mailoutbox
    assert status.status_path(submission.public_reference) in mail.body
    page = Client().get(link).content.decode()
    assert "Stand Ihres Antrags" in page and submission.public_reference in page


def test_an_accepted_application_does_not_read_like_a_granted_one():
    """Issue 16, item 5: "angenommen" read like "bewilligt", and citizens met "Signatur geprüft"."""
    submission = SubmissionFactory(status=Submission.Status.ACCEPTED)
    html = Client().get(status.status_path(submission.public_reference)).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "in Bearbeitung" in main and "Entschieden ist darüber noch nicht" in main
    assert "angenommen" not in main and "Signatur" not in main and "Security Event" not in main

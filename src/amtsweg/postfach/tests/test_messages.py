"""Messages and the Rückfrage: the case worker asks, the applicant is told without content, answers with text
and files in the Postfach, and the answer lands in the case with the clock moved on."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.casework.models import Case
from amtsweg.casework.tests.factories import TeamFactory
from amtsweg.core.actors import SYSTEM
from amtsweg.postfach import messages
from amtsweg.postfach.models import Message, MessageAttachment
from amtsweg.submissions import status

from .factories import casework_application, login_citizen

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
QUESTION = "Bitte reichen Sie den Impfpass von Bello nach."


@pytest.fixture
def received_case(client, routed_responsibility):
    submission, case = casework_application(client, routed_responsibility)
    worker = UserFactory(authority=case.authority)
    mail.outbox.clear()
    return submission, case, worker


def _status(submission) -> str:
    return status.status_path(submission.public_reference)


def test_a_rueckfrage_pauses_the_case_and_mails_only_that_something_waits(
    received_case, django_capture_on_commit_callbacks,
):
    submission, case, worker = received_case
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = messages.ask(case, actor=worker, text=QUESTION, documents=["Impfpass", "  ", "Meldebescheinigung"])
    case.refresh_from_db()
    assert case.state == Case.State.INQUIRY and case.paused_since is not None
    assert QUESTION.encode() not in bytes(Message.objects.get().body)  # sealed at rest
    assert messages.show(inquiry).documents == ["Impfpass", "Meldebescheinigung"]
    [notice] = mail.outbox
    assert notice.to == ["erika@example.org"]
    assert submission.public_reference in notice.subject
    assert "Impfpass" not in notice.body and "Bello" not in notice.body and "Rückfrage" not in notice.body
    assert _status(submission) in notice.body  # anonymous application: the signed status link


def test_an_account_application_is_pointed_to_the_login_not_to_a_link(client, routed_responsibility,
                                                                      django_capture_on_commit_callbacks):
    login_citizen(client, subject="erika")
    submission, case = casework_application(client, routed_responsibility)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        messages.send_message(case, actor=SYSTEM, subject="Eingangsbestätigung", text="Wir bearbeiten Ihren Antrag.")
    [notice] = mail.outbox
    assert "/postfach/" in notice.body and "/status/" not in notice.body
    assert "Wir bearbeiten" not in notice.body and "Eingangsbestätigung" not in notice.body


def test_the_applicant_answers_with_text_and_a_file_and_the_case_continues(received_case):
    submission, case, worker = received_case
    inquiry = messages.ask(case, actor=worker, text=QUESTION, documents=["Impfpass"])
    Case.objects.filter(pk=case.pk).update(paused_since=timezone.now() - dt.timedelta(days=3))
    deadline = Case.objects.get(pk=case.pk).deadline
    applicant = Client()
    page = applicant.get(_status(submission)).content.decode()
    assert '<span class="kern-badge" id="status-label">Rückfrage</span>' in page  # as the headline says
    assert "Es gibt eine Rückfrage zu Ihrem Antrag" in page and "Rückfrage lesen und beantworten" in page
    url = reverse("postfach:message", args=[submission.public_reference, status.signature(submission.public_reference),
                                             inquiry.pk])
    body = applicant.get(url).content.decode()
    assert QUESTION in body and "Impfpass" in body and 'name="files"' in body
    assert Message.objects.get(pk=inquiry.pk).read_at is not None
    response = applicant.post(url, {"text": "Anbei der Impfpass.",
                                    "files": SimpleUploadedFile("impfpass.pdf", PDF, "application/pdf")})
    assert response.status_code == 302 and response["Location"] == _status(submission)
    case.refresh_from_db()
    assert case.state == Case.State.IN_PROGRESS and case.paused_since is None
    assert case.deadline == deadline + dt.timedelta(days=3)
    answer = Message.objects.get(kind=Message.Kind.ANSWER)
    assert answer.in_reply_to_id == inquiry.pk and answer.direction == Message.Direction.FROM_APPLICANT
    assert PDF not in bytes(MessageAttachment.objects.get().content)
    staff = Client()
    login_staff(staff, worker)
    page = staff.get(reverse("postfach:case_messages", args=[case.pk])).content.decode()
    assert "Anbei der Impfpass." in page and "impfpass.pdf" in page
    attachment = MessageAttachment.objects.get()
    download = staff.get(reverse("postfach:case_attachment", args=[case.pk, attachment.pk]))
    assert download.content == PDF and download["Content-Type"] == "application/pdf"
    again = applicant.post(url, {"text": "Noch einmal"})  # answered: no second answer, back to the status page
    assert again.status_code == 302 and Message.objects.filter(kind=Message.Kind.ANSWER).count() == 1


def test_a_wrong_file_is_refused_in_german_and_the_text_is_kept(received_case):
    submission, case, worker = received_case
    inquiry = messages.ask(case, actor=worker, text=QUESTION)
    url = reverse("postfach:message", args=[submission.public_reference, status.signature(submission.public_reference),
                                             inquiry.pk])
    response = Client().post(url, {"text": "Mein Text bleibt", "files": SimpleUploadedFile(
        "impfpass.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
    body = response.content.decode()
    assert response.status_code == 400
    assert "impfpass.pdf: Diese Datei ist kein erlaubter Dateityp. Erlaubt sind: PDF, PNG, JPEG." in body
    assert "Mein Text bleibt" in body
    assert not Message.objects.filter(kind=Message.Kind.ANSWER).exists()
    assert Case.objects.get(pk=case.pk).state == Case.State.INQUIRY
    empty = Client().post(url, {"text": "  "})
    assert "Bitte schreiben Sie eine Antwort oder fügen Sie eine Datei hinzu." in empty.content.decode()
    # Issue 14, demo walk: a 5.7 MB file was called "zu groß (5 MB) … höchstens 5 MB" (only the limit was read)
    big = Client().post(url, {"text": "Mein Text bleibt", "files": SimpleUploadedFile(
        "scan.pdf", b"%PDF-1.4\n" + b"0" * 6_000_000, "application/pdf")})
    assert "scan.pdf: Die Datei ist zu groß (5,7 MB). Erlaubt sind höchstens 5 MB." in big.content.decode()


def test_a_rueckfrage_carries_the_day_to_answer_by_and_the_applicant_sees_it(received_case):
    """The walk asked a question "with a deadline" and the form had no field for it: the applicant read a
    Rückfrage without knowing by when to answer (issue 14, browser walk). The case worker sets the day (two
    weeks proposed); the applicant sees it on the status page and at the question."""
    submission, case, worker = received_case
    staff = Client()
    login_staff(staff, worker)
    url = reverse("postfach:case_messages", args=[case.pk])
    proposed = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    assert f'name="answer_by" maxlength="10" value="{proposed}"' in staff.get(url).content.decode()
    day = timezone.localdate() + dt.timedelta(days=10)
    response = staff.post(url, {"action": "ask", "text": QUESTION, "documents": "Impfpass",
                                "answer_by": day.isoformat()})
    assert response.status_code == 302
    inquiry = Message.objects.get()
    assert messages.show(inquiry).answer_by == day
    assert day.isoformat().encode() not in bytes(inquiry.body)  # sealed with the question
    with translation.override("de"):
        german = date_format(day, "DATE_FORMAT")  # e.g. "18. Dezember 2026"
    assert f"Antwort erbeten bis {german}" in staff.get(url).content.decode()
    page = Client().get(_status(submission)).content.decode()
    assert f"Bitte antworten Sie bis zum {german}." in page
    question = Client().get(reverse("postfach:message", args=[
        submission.public_reference, status.signature(submission.public_reference), inquiry.pk])).content.decode()
    assert f"Bitte antworten Sie bis zum {german}." in question


def test_a_past_or_malformed_answer_deadline_is_refused_and_nothing_is_sent(received_case):
    _submission, case, worker = received_case
    staff = Client()
    login_staff(staff, worker)
    url = reverse("postfach:case_messages", args=[case.pk])
    today = timezone.localdate()
    for value, expected in [((today - dt.timedelta(days=1)).isoformat(), "muss in der Zukunft liegen"),
                            (today.isoformat(), "frühestens morgen"),
                            ((today + dt.timedelta(days=400)).isoformat(), "höchstens ein Jahr"),
                            ("31.02.2027", "als Datum an"), ("morgen", "als Datum an")]:
        response = staff.post(url, {"action": "ask", "text": QUESTION, "answer_by": value})
        body = response.content.decode()
        assert response.status_code == 400 and expected in body, value
        assert QUESTION in body  # the question typed is kept
    assert not Message.objects.exists() and Case.objects.get(pk=case.pk).state == Case.State.RECEIVED
    # German dates as typed are taken; an empty field is no deadline
    day = today + dt.timedelta(days=3)
    assert messages.check_answer_by(day.strftime("%d.%m.%Y")) == day
    assert messages.show(messages.ask(case, actor=worker, text=QUESTION, answer_by="")).answer_by is None


def test_staff_input_errors_are_german_and_change_nothing(received_case):
    _submission, case, worker = received_case
    with pytest.raises(messages.MessageError, match="Bitte schreiben Sie Ihre Frage"):
        messages.ask(case, actor=worker, text=" ")
    with pytest.raises(messages.MessageError, match="höchstens 10 Unterlagen"):
        messages.ask(case, actor=worker, text="Frage", documents=[f"Unterlage {i}" for i in range(11)])
    staff = Client()
    login_staff(staff, worker)
    response = staff.post(reverse("postfach:case_messages", args=[case.pk]),
                          {"action": "send", "subject": "", "text": "Hallo"})
    assert response.status_code == 400 and "Bitte schreiben Sie einen Betreff." in response.content.decode()
    assert "Hallo" in response.content.decode()
    assert not Message.objects.exists() and Case.objects.get(pk=case.pk).state == Case.State.RECEIVED


def test_other_kommunen_the_land_other_teams_and_citizens_get_nothing(received_case, routed_responsibility):
    submission, case, worker = received_case
    inquiry = messages.ask(case, actor=worker, text=QUESTION)
    messages.answer(messages.Applicant(submission.pk, "link"), inquiry.pk, text="Antwort",
                    uploads=[messages.Upload("a.pdf", "application/pdf", PDF)])
    attachment = MessageAttachment.objects.get()
    team = TeamFactory(authority=case.authority)
    Case.objects.filter(pk=case.pk).update(team=team)
    other_kommune = UserFactory(authority=AuthorityFactory(), kommune_admin=True)
    land = UserFactory(land_operator=True, authority=AuthorityFactory(land_office=True))
    other_team = UserFactory(authority=case.authority)
    urls = [reverse("postfach:case_messages", args=[case.pk]),
            reverse("postfach:case_attachment", args=[case.pk, attachment.pk])]
    for user in (other_kommune, land, other_team):
        staff = Client()
        login_staff(staff, user)
        for url in urls:
            assert staff.get(url).status_code == 404, (user, url)
        # and the page's forms (Rückfrage, message) refuse the same way, storing nothing
        for data in ({"action": "ask", "text": "Frage"}, {"action": "send", "subject": "Betreff", "text": "Text"}):
            assert staff.post(urls[0], data).status_code == 404, (user, data)
        assert staff.post(reverse("postfach:case_notice", args=[case.pk]),
                          {"decision": "approved", "action": "send"}).status_code == 404
        with pytest.raises(PermissionDenied):
            messages.ask(case, actor=user, text="Frage")
    assert Message.objects.count() == 2 and Case.objects.get(pk=case.pk).state == Case.State.IN_PROGRESS
    citizen = Client()
    login_citizen(citizen, subject="max")
    assert citizen.get(urls[0]).status_code == 403
    reference, sig = submission.public_reference, status.signature(submission.public_reference)
    for url in (reverse("postfach:message", args=[reference, "falsch", inquiry.pk]),
                reverse("postfach:attachment", args=[reference, "falsch", attachment.pk]),
                reverse("postfach:message", args=[reference, sig, uuid.uuid4()]),
                reverse("postfach:attachment", args=[reference, sig, uuid.uuid4()])):
        assert Client().get(url).status_code == 404, url


def test_a_message_of_another_application_does_not_open_with_this_link(client, received_case, routed_responsibility):
    submission, case, worker = received_case
    second, second_case = casework_application(Client(), routed_responsibility)
    foreign = messages.send_message(second_case, actor=worker, subject="Hallo", text="Nur für den zweiten Antrag")
    url = reverse("postfach:message", args=[submission.public_reference,
                                             status.signature(submission.public_reference), foreign.pk])
    assert Client().get(url).status_code == 404


def test_the_case_page_leads_to_the_postfach_and_the_bescheid(received_case):
    _submission, case, worker = received_case
    staff = Client()
    login_staff(staff, worker)
    body = staff.get(reverse("casework:case", args=[case.pk])).content.decode()
    assert f'href="{reverse("postfach:case_messages", args=[case.pk])}"' in body
    assert f'href="{reverse("postfach:case_notice", args=[case.pk])}"' in body


def _queries_for(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.usefixtures("routing_index_as_in_production")  # the log's signature keys: CI once counted 13 vs 14
def test_the_status_page_and_the_case_workers_page_cost_the_same_queries_for_one_message_or_many(
    received_case, django_capture_on_commit_callbacks,
):
    """Each message's attachments and whether it is answered come with the list (before: 2 queries per
    message; issue 14)."""
    submission, case, worker = received_case
    inquiry = messages.ask(case, actor=worker, text=QUESTION)
    messages.answer(messages.Applicant(submission.pk, "link"), inquiry.pk, text="Antwort",
                    uploads=[messages.Upload("a.pdf", "application/pdf", PDF)])
    staff = Client()
    login_staff(staff, worker)
    staff_url = reverse("postfach:case_messages", args=[case.pk])
    applicant, page = Client(), _status(submission)
    with django_capture_on_commit_callbacks(execute=True):  # warm, as committed: session, cached keys
        applicant.get(page), staff.get(staff_url)
    one_status, one_staff = _queries_for(applicant, page), _queries_for(staff, staff_url)
    for i in range(4):
        messages.send_message(case, actor=worker, subject=f"Hinweis {i}", text="Bitte beachten Sie …",
                              uploads=[messages.Upload(f"hinweis-{i}.pdf", "application/pdf", PDF)])
    body = applicant.get(page).content.decode()
    assert "Hinweis 3" in body and "beantwortet" in body
    assert _queries_for(applicant, page) == one_status
    assert _queries_for(staff, staff_url) == one_staff
    assert "hinweis-3.pdf" in staff.get(staff_url).content.decode()


def test_an_answer_tells_the_assignee_or_the_team_by_mail_without_content(
    received_case, django_capture_on_commit_callbacks,
):
    submission, case, worker = received_case
    worker.email = "sabine@voelklingen.example"
    worker.save()
    inquiry = messages.ask(case, actor=worker, text=QUESTION)
    applicant = messages.Applicant(submission.pk, "link")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # nobody assigned, no team: the one who asked
        messages.answer(applicant, inquiry.pk, text="Anbei der Impfpass von Bello.",
                        uploads=[messages.Upload("impfpass.pdf", "application/pdf", PDF)])
    [sent] = mail.outbox
    assert sent.to == ["sabine@voelklingen.example"]
    assert sent.subject == f"Eine Antwort auf Ihre Rückfrage zu {case.reference} liegt vor"
    assert reverse("postfach:case_messages", args=[case.pk]) in sent.body
    assert "Bello" not in sent.body and "impfpass" not in sent.body.lower() and QUESTION not in sent.body

    colleague = UserFactory(authority=case.authority, email="team@voelklingen.example")
    team = TeamFactory(authority=case.authority, members=[colleague, UserFactory(authority=case.authority, email="")])
    UserFactory(authority=case.authority, email="nicht-im-team@voelklingen.example")
    Case.objects.filter(pk=case.pk).update(team=team)
    second = messages.ask(Case.objects.get(pk=case.pk), actor=SYSTEM, text="Noch eine Frage")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # a team and nobody assigned: the team
        messages.answer(applicant, second.pk, text="Antwort")
    assert [m.to for m in mail.outbox] == [["team@voelklingen.example"]]

    assignee = UserFactory(authority=case.authority, email="zustaendig@voelklingen.example")
    team.members.add(assignee)
    Case.objects.filter(pk=case.pk).update(assignee=assignee)
    third = messages.ask(Case.objects.get(pk=case.pk), actor=SYSTEM, text="Letzte Frage")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # assigned: only the assignee
        messages.answer(applicant, third.pk, text="Antwort")
    assert [m.to for m in mail.outbox] == [["zustaendig@voelklingen.example"]]


def test_a_forwarded_application_leaves_the_applicant_a_note_and_a_mail_without_content(
        client, routed_responsibility, django_capture_on_commit_callbacks):
    from amtsweg.casework import forwarding
    from amtsweg.postfach.models import Application
    from amtsweg.routing.tests.factories import ResponsibilityFactory
    from amtsweg.submissions.models import Submission

    login_citizen(client, subject="erika")
    submission, case = casework_application(client, routed_responsibility)
    responsible = ResponsibilityFactory(leika_key=case.leika_key)
    responsible.destination.authority.name = "Stadt Saarbrücken"
    responsible.destination.authority.save()
    worker = UserFactory(authority=case.authority)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        forwarding.forward(case, responsible.destination, actor=worker)
    new = Submission.objects.get(destination=responsible.destination)
    [note] = messages.messages_for_applicant(messages.Applicant(submission.pk, "account"))
    assert note.subject == "Ihr Antrag wurde weitergeleitet"
    assert "Stadt Saarbrücken" in note.text and new.public_reference in note.text
    assert status.status_path(new.public_reference) in note.text
    [sent] = mail.outbox
    assert sent.to == ["erika@example.org"] and "Saarbrücken" not in sent.body and "weitergeleitet" not in sent.body
    # "Meine Anträge" lists it at its new place too, for the same account
    assert Application.objects.get(submission=new).owner_key == Application.objects.get(submission=submission).owner_key
    page = client.get(_status(submission)).content.decode()
    assert "weitergeleitet" in page and "Ihr Antrag wurde weitergeleitet" in page


def test_meine_antraege_is_the_current_section_for_the_citizen_only_not_on_the_case_workers_pages(received_case):
    submission, case, worker = received_case
    current = 'href="/postfach/" aria-current="page"'
    staff = Client()
    login_staff(staff, worker)
    assert current not in staff.get(reverse("postfach:case_messages", args=[case.pk])).content.decode()
    assert current not in staff.get(reverse("postfach:case_notice", args=[case.pk])).content.decode()
    assert current in Client().get("/postfach/").content.decode()


def test_sending_the_answer_twice_says_it_arrived_instead_of_not_found(received_case):
    submission, case, worker = received_case
    inquiry = messages.ask(case, actor=worker, text=QUESTION)
    url = reverse("postfach:message", args=[submission.public_reference, status.signature(submission.public_reference),
                                             inquiry.pk])
    applicant = Client()
    assert applicant.post(url, {"text": "Anbei der Impfpass."}).status_code == 302
    again = applicant.post(url, {"text": "Anbei der Impfpass."}, follow=True)  # double click, or Back and send
    assert again.status_code == 200 and again.redirect_chain[-1][0] == _status(submission)
    assert "Ihre Antwort auf diese Rückfrage ist bereits bei der Behörde eingegangen." in again.content.decode()
    assert Message.objects.filter(kind=Message.Kind.ANSWER).count() == 1


def test_the_status_page_of_a_forwarded_application_tells_one_truth_forwarded_to_whom_with_the_new_link(
        client, routed_responsibility):
    """Issue 14: the headline said "weitergeleitet" while the badge beside it said the transport's "angenommen"
    (the back office accepted the application before forwarding it); the page now names the new authority
    and the new reference, links to the new status page, and the badge says "weitergeleitet"."""
    from amtsweg.casework import forwarding
    from amtsweg.routing.tests.factories import ResponsibilityFactory
    from amtsweg.submissions.models import Submission

    submission, case = casework_application(client, routed_responsibility)
    responsible = ResponsibilityFactory(leika_key=case.leika_key)
    responsible.destination.authority.name = "Stadt Saarbrücken"
    responsible.destination.authority.save()
    forwarding.forward(case, responsible.destination, actor=UserFactory(authority=case.authority))
    new = Submission.objects.get(destination=responsible.destination)
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.ACCEPTED  # the transport's view

    page = Client().get(_status(submission)).content.decode()
    assert '<span class="kern-badge" id="status-label">weitergeleitet</span>' in page
    assert "angenommen" not in page.split('id="status-history"')[0]
    assert "an Stadt Saarbrücken weitergeleitet" in page and new.public_reference in page
    assert f'href="{status.status_path(new.public_reference)}"' in page


def test_a_staff_error_stands_at_the_form_that_failed_and_the_summary_names_it(received_case):
    """Issue 14: one generic "Nicht gesendet" alert at the top, nothing at the form; now the summary says
    which form failed and links to the error, which stands in that form at its field."""
    _submission, case, worker = received_case
    staff = Client()
    login_staff(staff, worker)
    url = reverse("postfach:case_messages", args=[case.pk])
    page = staff.post(url, {"action": "send", "subject": "", "text": "Hallo"}).content.decode()
    assert "Nachricht nicht gesendet" in page and 'href="#send-error"' in page
    send_form = page.split('id="send-title"')[1]
    assert '<p class="kern-error" id="send-error">Bitte schreiben Sie einen Betreff.</p>' in send_form
    assert 'aria-describedby="send-error"' in send_form and 'id="ask-error"' not in page

    page = staff.post(url, {"action": "ask", "text": " "}).content.decode()
    assert "Rückfrage nicht gesendet" in page and 'href="#ask-error"' in page
    ask_form = page.split('id="ask-title"')[1].split('id="send-title"')[0]
    assert 'id="ask-error">Bitte schreiben Sie Ihre Frage' in ask_form and 'id="send-error"' not in page


def test_a_forwarded_application_names_the_office_it_was_forwarded_to_as_responsible(client, routed_responsibility):
    """Issue 14: the status page's "Zuständige Stelle" (and the row in Meine Anträge) still named the office
    that forwarded the application; the responsible office is the one it went to."""
    from amtsweg.casework import forwarding
    from amtsweg.routing.tests.factories import ResponsibilityFactory

    login_citizen(client, subject="erika")
    submission, case = casework_application(client, routed_responsibility)
    responsible = ResponsibilityFactory(leika_key=case.leika_key)
    responsible.destination.authority.name = "Stadt Saarbrücken"
    responsible.destination.authority.save()
    before = client.get(_status(submission)).content.decode()
    assert "Bürgerbüro Völklingen" in before.split('id="status-office"')[1].split("</dd>")[0]
    forwarding.forward(case, responsible.destination, actor=UserFactory(authority=case.authority))

    office = client.get(_status(submission)).content.decode().split('id="status-office"')[1].split("</dd>")[0]
    assert "Stadt Saarbrücken" in office and "Völklingen" not in office
    cards = client.get("/postfach/").content.decode().split('class="kern-card__body"')[1:]
    assert len(cards) == 2 and all("Stadt Saarbrücken" in card for card in cards)


def test_the_platforms_own_subjects_are_stored_neutral_and_shown_in_the_readers_language(received_case):
    """Issue 14: the Rückfrage's and the forwarding note's subject were stored translated (German) and stayed
    German in the English UI. Now a code is stored and named when shown; older German subjects too."""
    import json as json_module

    from django.utils import translation

    from amtsweg.casework import vault

    _submission, case, worker = received_case
    inquiry = messages.ask(case, actor=worker, text=QUESTION)
    stored = json_module.loads(vault.open(case.authority_id, bytes(Message.objects.get(pk=inquiry.pk).body),
                                          purpose=messages.BODY))
    assert stored["subject_code"] == "inquiry" and stored["subject"] == ""
    assert messages.show(Message.objects.get(pk=inquiry.pk)).subject == "Rückfrage zu Ihrem Antrag"
    with translation.override("en"):
        english = messages.show(Message.objects.get(pk=inquiry.pk)).subject
        assert english != "Rückfrage zu Ihrem Antrag" and english
        assert messages._subject({"subject": "Ihr Antrag wurde weitergeleitet"}) != "Ihr Antrag wurde weitergeleitet"
        assert messages._subject({"subject": "Frage zur Hundesteuer"}) == "Frage zur Hundesteuer"  # staff's own


def test_the_forwarding_notes_text_is_stored_neutral_and_shown_in_the_readers_language(
        client, routed_responsibility):
    """Issue 14: the forwarding note's body was stored as German text and stayed German in the English UI
    (and in the applicant's export). Now a code and its parameters are stored and the text is written in the
    reader's language when shown; notes stored as German text before stay as they were."""
    import json as json_module

    from django.utils import translation

    from amtsweg.casework import forwarding, vault
    from amtsweg.routing.tests.factories import ResponsibilityFactory
    from amtsweg.submissions.models import Submission

    submission, case = casework_application(client, routed_responsibility)
    responsible = ResponsibilityFactory(leika_key=case.leika_key)
    responsible.destination.authority.name = "Stadt Saarbrücken"
    responsible.destination.authority.save()
    forwarding.forward(case, responsible.destination, actor=UserFactory(authority=case.authority))
    new = Submission.objects.get(destination=responsible.destination)
    note = Message.objects.get(case=case)
    stored = json_module.loads(vault.open(case.authority_id, bytes(note.body), purpose=messages.BODY))
    assert stored["text"] == "" and stored["text_code"] == "forwarded"
    assert stored["text_params"]["authority"] == "Stadt Saarbrücken"
    assert stored["text_params"]["reference"] == new.public_reference
    assert "url" not in stored["text_params"]  # made from the reference when shown: follows PUBLIC_BASE_URL
    german = messages.show(note).text
    assert german.startswith("Ihr Antrag ist nicht bei uns, sondern bei Stadt Saarbrücken zu bearbeiten.")
    assert timezone.localdate().strftime("%d.%m.%Y") in german
    assert status.absolute_status_url(new.public_reference) in german
    with translation.override("en"):
        english = messages.show(Message.objects.get(pk=note.pk)).text
        assert english.startswith("Your application is handled not by us but by Stadt Saarbrücken.")
        assert new.public_reference in english and status.absolute_status_url(new.public_reference) in english
        assert "weitergeleitet" not in english
        assert messages._text({"text": "Schon gespeichert."}) == "Schon gespeichert."  # older notes as stored
        landed = {"authority": "A", "date": "2026-12-03", "reference": new.public_reference, "url": "http://alt/"}
        assert "http://alt/" not in messages._text({"text_code": "forwarded", "text_params": landed})
        assert messages._text({"text_code": "unbekannt", "text": "x"}) == "x"

"""Bescheide: safe templates, preview, PDF with a detached signature of the Authority's key, delivery into
the Postfach, Bekanntgabe (made available, first fetched), and nobody else gets them."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from joserfc import jws
from joserfc.jwk import ECKey

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.casework.models import Case
from amtsweg.casework.tests.factories import TeamFactory
from amtsweg.postfach import notices
from amtsweg.postfach.messages import Applicant, MessageError
from amtsweg.postfach.models import Notice, NoticeTemplate, SigningKey
from amtsweg.submissions import status

from .factories import casework_application

pytestmark = pytest.mark.django_db
BODY = "Sehr geehrte Person $antragsteller,\nIhr Antrag $vorgangsnummer ($leistung) ist $entscheidung.\n$behoerde"


@pytest.fixture
def worked_with_template(client, routed_responsibility):
    submission, case = casework_application(client, routed_responsibility)
    worker = UserFactory(authority=case.authority)
    template = notices.save_template(case.authority, actor=worker, leika_key=case.leika_key, name="Standard",
                                     title="Bescheid über $leistung", body=BODY)
    mail.outbox.clear()
    return submission, case, worker, template


def _signed(submission) -> list[str]:
    return [submission.public_reference, status.signature(submission.public_reference)]


def test_templates_take_only_known_placeholders_and_no_template_code(worked_with_template):
    _submission, case, worker, _template = worked_with_template
    for body, expected in [("Hallo $passwort", "unbekannte Platzhalter: $passwort"),
                           ("{{ settings.SECRET_KEY }} $", "kein Platzhalter"),
                           ("", "Bitte füllen Sie „Text“ aus.")]:
        with pytest.raises(MessageError, match=re.escape(expected)):
            notices.save_template(case.authority, actor=worker, leika_key=case.leika_key, name="X", title="T",
                                  body=body)
    with pytest.raises(MessageError, match="14 Ziffern"):
        notices.save_template(case.authority, actor=worker, leika_key="123", name="X", title="T", body="Text")
    with pytest.raises(PermissionError):
        notices.save_template(case.authority, actor=UserFactory(authority=AuthorityFactory()),
                              leika_key=case.leika_key, name="X", title="T", body="Text")
    # Django template syntax is only text: it is printed, never run
    odd = notices.save_template(case.authority, actor=worker, leika_key=case.leika_key, name="Roh",
                                title="T", body="{{ case.content }} {% load x %} $vorgangsnummer")
    rendered = notices.render(case, odd, Case.Decision.APPROVED, actor=worker)
    assert rendered.text == f"{{{{ case.content }}}} {{% load x %}} {case.reference}"


def test_preview_then_deliver_a_signed_notice_that_the_status_page_verifies(worked_with_template,
                                                                            django_capture_on_commit_callbacks):
    submission, case, worker, template = worked_with_template
    staff = Client()
    login_staff(staff, worker)
    url = reverse("postfach:case_notice", args=[case.pk])
    preview = staff.post(url, {"template": template.pk, "decision": "approved", "action": "preview"})
    body = preview.content.decode()
    assert "Sehr geehrte Person Erika Mustermann" in body and "ist bewilligt" in body
    assert not Notice.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        sent = staff.post(url, {"template": template.pk, "decision": "approved", "action": "send",
                                "previewed": f"{template.pk}:approved"})
    assert sent.status_code == 302
    case.refresh_from_db()
    assert case.state == Case.State.DECIDED and case.decision == Case.Decision.APPROVED
    notice = Notice.objects.get()
    assert notice.made_available_at and notice.first_fetched_at is None
    assert b"%PDF" not in bytes(notice.document)  # sealed at rest
    [mailed] = mail.outbox
    assert "bewilligt" not in mailed.body and "Bescheid" not in mailed.body
    page = Client().get(status.status_path(submission.public_reference)).content.decode()
    assert "Über Ihren Antrag ist entschieden." in page and "Siegel der Behörde geprüft" in page
    # the badge beside that headline said the transport's "in Bearbeitung" (issue 14, demo walk)
    assert '<span class="kern-badge" id="status-label">entschieden</span>' in page
    pdf = Client().get(reverse("postfach:notice", args=[*_signed(submission), notice.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    first = Notice.objects.get().first_fetched_at
    assert first is not None
    Client().get(reverse("postfach:notice", args=[*_signed(submission), notice.pk]))
    assert Notice.objects.get().first_fetched_at == first  # the first download is the one recorded
    # anyone can check the detached signature with the published key
    proof = json.loads(Client().get(reverse("postfach:notice_signature",
                                            args=[*_signed(submission), notice.pk])).content)
    header, empty, _sig = proof["signature"].split(".")
    assert empty == ""
    jws.deserialize_compact(proof["signature"], ECKey.import_key(proof["key"]), algorithms=["ES256"],
                            payload=pdf.content)
    assert notices.verify(notice, pdf.content)
    assert not notices.verify(notice, pdf.content + b" ")
    assert SigningKey.objects.get().public_jwk.get("d") is None  # only the public half in clear


def test_a_notice_that_does_not_fit_the_case_is_refused(worked_with_template):
    _submission, case, worker, template = worked_with_template
    notices.issue(case, template, Case.Decision.REJECTED, actor=worker)
    with pytest.raises(MessageError, match="passt nicht zum Stand"):
        notices.issue(Case.objects.get(pk=case.pk), template, Case.Decision.APPROVED, actor=worker)
    with pytest.raises(MessageError, match="Bitte wählen Sie die Entscheidung"):
        notices.render(case, template, "vielleicht", actor=worker)
    foreign = NoticeTemplate.objects.create(authority=AuthorityFactory(), leika_key=case.leika_key, name="F",
                                            title="T", body="B")
    with pytest.raises(NoticeTemplate.DoesNotExist):
        notices.render(case, foreign, Case.Decision.APPROVED, actor=worker)


def test_sending_the_same_notice_twice_delivers_it_once(worked_with_template, django_capture_on_commit_callbacks):
    """The browser's back button on the sent preview (or a double click on "Entscheiden und Bescheid
    zustellen") posted the send again: the applicant got a second, identical Bescheid and a second mail
    (issue 14, browser walk). A case with a notice gets no further one this way."""
    submission, case, worker, template = worked_with_template
    staff = Client()
    login_staff(staff, worker)
    url = reverse("postfach:case_notice", args=[case.pk])
    form = {"template": template.pk, "decision": "approved", "action": "send", "previewed": f"{template.pk}:approved"}
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(url, form).status_code == 302
        again = staff.post(url, form)
    assert Notice.objects.filter(case=case).count() == 1
    assert len(mail.outbox) == 1
    assert again.status_code == 400
    assert "bereits ein Bescheid zugestellt" in again.content.decode()
    assert 'value="send"' not in staff.get(url).content.decode()  # the form is not offered again
    with pytest.raises(MessageError, match="bereits ein Bescheid zugestellt"):
        notices.issue(Case.objects.get(pk=case.pk), template, Case.Decision.APPROVED, actor=worker)


def test_a_decision_changed_after_the_preview_is_previewed_again_not_sent(worked_with_template):
    """After "Vorschau" for "bewilligt" the radio buttons stay editable: switching to "abgelehnt" and pressing
    "Entscheiden und Bescheid zustellen" delivered a rejection nobody had read (issue 14, browser walk)."""
    _submission, case, worker, template = worked_with_template
    staff = Client()
    login_staff(staff, worker)
    url = reverse("postfach:case_notice", args=[case.pk])
    preview = staff.post(url, {"template": template.pk, "decision": "approved", "action": "preview"})
    assert f'name="previewed" value="{template.pk}:approved"' in preview.content.decode()
    changed = staff.post(url, {"template": template.pk, "decision": "rejected", "action": "send",
                               "previewed": f"{template.pk}:approved"})
    body = changed.content.decode()
    assert changed.status_code == 400 and "nach der Vorschau geändert" in body
    assert "ist abgelehnt" in body and f'name="previewed" value="{template.pk}:rejected"' in body
    assert not Notice.objects.exists() and Case.objects.get(pk=case.pk).state == Case.State.RECEIVED
    # a send without any preview is not taken either
    assert staff.post(url, {"template": template.pk, "decision": "approved", "action": "send"}).status_code == 400
    assert not Notice.objects.exists()


def test_a_case_decided_on_its_page_still_gets_its_one_notice(worked_with_template):
    """Deciding on the case page first and sending the Bescheid afterwards stays possible."""
    from amtsweg.casework import services as casework

    _submission, case, worker, template = worked_with_template
    case = casework.decide(casework.start(case, actor=worker), Case.Decision.APPROVED, actor=worker)
    notices.issue(case, template, Case.Decision.APPROVED, actor=worker)
    assert Notice.objects.filter(case=case).count() == 1


def test_other_kommunen_the_land_other_teams_and_other_applications_get_no_notice(worked_with_template,
                                                                                  routed_responsibility):
    submission, case, worker, template = worked_with_template
    notice = notices.issue(case, template, Case.Decision.APPROVED, actor=worker)
    team = TeamFactory(authority=case.authority)
    Case.objects.filter(pk=case.pk).update(team=team)
    other_kommune = UserFactory(authority=AuthorityFactory(), kommune_admin=True)
    land = UserFactory(land_operator=True, authority=AuthorityFactory(land_office=True))
    other_team = UserFactory(authority=case.authority)
    for user in (other_kommune, land, other_team):
        staff = Client()
        login_staff(staff, user)
        for url in (reverse("postfach:case_notice", args=[case.pk]),
                    reverse("postfach:case_notice_document", args=[case.pk, notice.pk])):
            assert staff.get(url).status_code == 404, (user, url)
    for user in (other_kommune, land):
        staff = Client()
        login_staff(staff, user)
        assert staff.get(reverse("postfach:template_edit", args=[template.pk])).status_code == 404
        assert "Standard" not in staff.get(reverse("postfach:templates")).content.decode()
    second, _second_case = casework_application(Client(), routed_responsibility)
    for url in (reverse("postfach:notice", args=[*_signed(second), notice.pk]),
                reverse("postfach:notice_signature", args=[*_signed(second), notice.pk]),
                reverse("postfach:notice", args=[submission.public_reference, "falsch", notice.pk]),
                reverse("postfach:notice", args=[*_signed(submission), uuid.uuid4()])):
        assert Client().get(url).status_code == 404, url
    with pytest.raises(Notice.DoesNotExist):
        notices.fetch(Applicant(second.pk, "link"), notice.pk)
    assert Notice.objects.get().first_fetched_at is None


def test_template_pages_save_and_refuse_in_german(worked_with_template):
    _submission, case, worker, template = worked_with_template
    staff = Client()
    login_staff(staff, worker)
    bad = staff.post(reverse("postfach:templates"), {"leika_key": case.leika_key, "name": "Neu", "title": "T",
                                                      "body": "Hallo $unbekannt"})
    assert bad.status_code == 400 and "unbekannte Platzhalter: $unbekannt" in bad.content.decode()
    assert "Hallo $unbekannt" in bad.content.decode()
    ok = staff.post(reverse("postfach:template_edit", args=[template.pk]),
                    {"leika_key": case.leika_key, "name": "Standard", "title": "Bescheid", "body": "Neu: $datum"})
    assert ok.status_code == 302 and NoticeTemplate.objects.get(pk=template.pk).body == "Neu: $datum"


def test_a_case_decided_without_a_bescheid_here_promises_none(worked_with_template):
    """Issue 14, demo walk: a case decided and closed without a Bescheid in the Postfach (the demo's closed
    cases; an office that sends it by post) said "Den Bescheid finden Sie unten." with nothing below."""
    from amtsweg.casework import services as casework_services

    submission, case, worker, _template = worked_with_template
    case = casework_services.transition(case, Case.State.IN_PROGRESS, actor=worker)
    case = casework_services.transition(case, Case.State.DECIDED, actor=worker, decision=Case.Decision.APPROVED)
    casework_services.transition(case, Case.State.CLOSED, actor=worker)
    page = Client().get(status.status_path(submission.public_reference)).content.decode()
    assert "Über Ihren Antrag ist entschieden." in page and "Den Bescheid finden Sie unten" not in page
    assert '<span class="kern-badge" id="status-label">abgeschlossen</span>' in page

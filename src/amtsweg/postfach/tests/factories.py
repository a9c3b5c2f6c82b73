"""Helpers for Postfach tests.

    login_citizen(client, given_name="Erika", subject="erika")   log a citizen in (account, profile, session)
    citizen_identity(subject=...)                                 the CitizenIdentity such a login carries
    apply(client, responsibility)                                 submit the test form through the assistant;
                                                                  returns the stored Submission
"""

from __future__ import annotations

from django.urls import reverse

from amtsweg.identity.services import upsert_citizen
from amtsweg.identity.session import SESSION_KEY, CitizenIdentity
from amtsweg.submissions.models import Submission


def citizen_identity(subject: str = "erika", given_name: str = "Erika", **fields) -> CitizenIdentity:
    values = {"provider": "test-oidc", "subject": subject, "given_name": given_name, "family_name": "Mustermann",
              "email": f"{subject}@example.org", "level": "substantiell"}
    values.update(fields)
    return CitizenIdentity(**values)


def login_citizen(client, subject: str = "erika", **fields):
    """Log a citizen in the way identity.services.login_citizen does (account + identity in the session)."""
    identity = citizen_identity(subject, **fields)
    user = upsert_citizen(identity)
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = {**identity.as_session(), "user_id": str(user.pk)}
    session.save()
    return user


PERSON = {"given_name": "Erika", "family_name": "Mustermann", "birth_date": "12.08.1964",
          "address-street": "Rathausplatz", "address-house_number": "1", "address-postcode": "66111",
          "address-place": "Saarbrücken", "email": "erika@example.org", "action": "next"}
DETAILS = {"has_pet": "ja", "pet_name": "Bello", "colour": "blau", "count": "2", "action": "next"}


def apply(client, slug: str = "testantrag", postcode: str = "66111") -> Submission:
    """Fill in and submit the assistants' test form (FormVersionFactory) as this client."""
    place_url = client.post(reverse("assistants:start", args=[slug]))["Location"]
    step1 = client.post(place_url, {"postcode": postcode, "action": "next"})["Location"]
    step2 = client.post(step1, PERSON)["Location"]
    step3 = client.post(step2, DETAILS)["Location"]
    summary = client.post(step3, {"action": "next"})["Location"]
    response = client.post(summary, {"declaration": "yes"})
    assert response.status_code == 302 and "/antrag/eingang/" in response["Location"], response
    return Submission.objects.order_by("-created_at").first()


def browser_citizen(page, base_url: str, subject: str = "erika", **fields):
    """Log a citizen in inside a Playwright page: a session made like `login_citizen`, its cookie handed over."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    user = login_citizen(client, subject, **fields)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}])
    return user, client


def casework_application(client, responsibility):
    """The responsibility's destination on Amtsweg-Sachbearbeitung, an application submitted through the
    assistant as `client`, and the case the back office took in. Returns (submission, case)."""
    from amtsweg.casework.models import Case
    from amtsweg.casework.tests.factories import on_casework
    from amtsweg.delivery import services as outbox

    on_casework(responsibility)
    submission = apply(client)
    outbox.run_until_idle()
    return submission, Case.objects.get(submission_id=submission.pk)


ANSWER_FILE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def worked_case(client, responsibility, *, close: bool = True):
    """A whole case as a citizen (logged in as `client`, so the application is in the account's Postfach)
    and a case worker leave it: Rückfrage, an answer with a file, a Bescheid, closed. Returns
    (submission, case, worker) with the case fresh from the database."""
    from amtsweg.accounts.tests.factories import UserFactory
    from amtsweg.casework import services
    from amtsweg.postfach import messages, notices

    login_citizen(client, subject="erika")
    submission, case = casework_application(client, responsibility)
    worker = UserFactory(authority=case.authority)
    inquiry = messages.ask(case, actor=worker, text="Bitte senden Sie den Impfpass von Bello.",
                           documents=["Impfpass"])
    applicant = messages.Applicant(submission.pk, "account")
    messages.answer(applicant, inquiry.pk, text="Anbei der Impfpass, Erika Mustermann.",
                    uploads=[messages.Upload("impfpass-bello.pdf", "application/pdf", ANSWER_FILE)])
    template = notices.save_template(case.authority, actor=worker, leika_key=case.leika_key, name="Standard",
                                     title="Bescheid über $leistung",
                                     body="Sehr geehrte Person $antragsteller, Ihr Antrag ist $entscheidung.")
    notices.issue(case.__class__.objects.get(pk=case.pk), template, "approved", actor=worker)
    case = case.__class__.objects.get(pk=case.pk)
    if close:
        case = services.close(case, actor=worker)
    return submission, case, worker

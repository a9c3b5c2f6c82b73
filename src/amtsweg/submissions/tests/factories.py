"""Factories for submissions and API clients, with named states.

    payload_for(responsibility, **overrides)   a FormSubmissionPayload that routes to the responsibility
    submit_payload(payload)                    run the real intake; returns the stored Submission
    SubmissionFactory()                        announced (incomplete), with its case and create event
    ApiClientFactory(subscriber_for=destination)   a Fachverfahren client with subscribe:destination:<id>
    ApiClientFactory(sender_region="10")           an online service allowed to send into Saarland
    bearer(client)                                 a fresh access token for a client (Authorization value)

    destination_private_key(n)                 the private half of routing's cached test key n (key 0 is
                                               the one DestinationFactory's encryption key uses)
"""

from __future__ import annotations

import factory

from amtsweg.assistants.handoff import Attachment, FormSubmissionPayload
from amtsweg.routing.tests.factories import DestinationFactory
from amtsweg.submissions import oauth
from amtsweg.submissions.models import ApiClient, Case, Submission

SECRET = "geheim-" + "x" * 40


def payload_for(responsibility, **overrides) -> FormSubmissionPayload:
    values = {
        "leika_key": responsibility.leika_key,
        "form_slug": "hundesteuer",
        "form_version": 3,
        "data": {"vorname": "Erika", "nachname": "Mustermann", "hund": {"name": "Bello", "rasse": "Dackel"}},
        "applicant_ars": responsibility.authority.area_ars.ljust(12, "0")
        if len(responsibility.authority.area_ars) < 12
        else responsibility.authority.area_ars,
        "attachments": [
            Attachment("impfpass-bello.pdf", "application/pdf", b"%PDF-1.7 Impfpass Bello Mustermann", "Impfpass")
        ],
        "auth_level": "substantiell",
        "auth_provider": "bundid",
        "payment": {"reference": "KASSE-2026-0042", "status": "booked", "amount_cents": 1500, "provider": "paypal"},
        "applicant_email": "erika.mustermann@example.org",
    }
    values.update(overrides)
    return FormSubmissionPayload(**values)


def submit_payload(payload: FormSubmissionPayload) -> Submission:
    from amtsweg.submissions.intake import accept_form_submission

    reference = accept_form_submission(payload)
    return Submission.objects.get(public_reference=reference)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    destination = factory.SubFactory(DestinationFactory)


class SubmissionFactory(factory.django.DjangoModelFactory):
    """An announced submission (status incomplete) with its create event."""

    class Meta:
        model = Submission
        skip_postgeneration_save = True

    case = factory.SubFactory(CaseFactory)
    destination = factory.SelfAttribute("case.destination")
    service_identifier = "urn:de:fim:leika:leistung:99102013000000"
    service_name = "Hundesteuer"

    @factory.post_generation
    def created_event(self, create, extracted, **kwargs):
        if create:
            from amtsweg.submissions import events

            events.record(self, events.CREATE)


class ApiClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiClient
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Fachverfahren {n}")
    kind = factory.LazyAttribute(
        lambda o: ApiClient.Kind.SUBSCRIBER if o.subscriber_for else ApiClient.Kind.SENDER
    )
    authority = factory.LazyAttribute(
        lambda o: o.subscriber_for.authority if o.subscriber_for else __import__(
            "amtsweg.accounts.tests.factories", fromlist=["AuthorityFactory"]
        ).AuthorityFactory()
    )
    client_id = factory.Sequence(lambda n: f"client-{n:05d}")
    secret_hash = factory.LazyFunction(lambda: oauth.hash_secret(SECRET))
    scopes = factory.LazyAttribute(
        lambda o: [f"subscribe:destination:{o.subscriber_for.pk}"]
        if o.subscriber_for
        else [f"send:region:DE{o.sender_region}"]
    )

    class Params:
        subscriber_for = None
        sender_region = "10"


def destination_private_key(number: int = 0):
    from amtsweg.routing.tests import factories as routing_factories

    keypair = getattr(routing_factories, "cached_keypair", None) or routing_factories.test_keypair
    return keypair(number, 4096)


def bearer(client: ApiClient) -> str:
    token, _expires = oauth.issue_token(client, client.scopes)
    return f"Bearer {token}"

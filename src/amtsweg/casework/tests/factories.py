"""Factories for the back office.

    use_cached_keys(monkeypatch)        receiving.key_generator hands out routing's cached RSA-4096 test keys
    on_casework(responsibility)         the responsibility's destination on Amtsweg-Sachbearbeitung
    received_case(responsibility)       an application submitted through the real intake and ingested
    CaseFactory(authority=…)            a stored case with sealed content (no transport behind it)
    TeamFactory(authority=…, members=[…])
"""

from __future__ import annotations

import itertools
import json
import uuid

import factory
from django.utils import timezone

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.casework import receiving, vault
from amtsweg.casework.models import Case, Team
from amtsweg.core.actors import SYSTEM
from amtsweg.routing.tests.factories import DestinationFactory, cached_keypair

_numbers = itertools.cycle([2, 3, 4, 5])


def use_cached_keys(monkeypatch) -> None:
    monkeypatch.setattr(receiving, "key_generator", lambda: cached_keypair(next(_numbers)))


def on_casework(responsibility, *, team=None):
    return receiving.enable(responsibility.destination, actor=SYSTEM, default_team=team)


def received_case(responsibility, **overrides) -> Case:
    """Submit through the intake and run the delivery worker until the back office has taken it in."""
    from amtsweg.delivery import services as outbox
    from amtsweg.submissions.tests.factories import payload_for, submit_payload

    submission = submit_payload(payload_for(responsibility, **overrides))
    outbox.run_until_idle()
    return Case.objects.get(submission_id=submission.pk)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


def sealed_content(authority_id: int, *, name: str = "Erika Mustermann", attachments=()) -> bytes:
    given, _, family = name.partition(" ")
    content = {"data": {"vorname": given, "familienname": family, "hund_name": "Bello"},
               "form": {}, "applicationDate": timezone.localdate().isoformat(),
               "payment": {"transactionReference": "KASSE-1", "status": "BOOKED", "grossAmount": 15.0,
                           "paymentMethod": "PAYPAL", "transactionId": "KASSE-1"},
               "levelOfAssurance": "substantiell", "replyEmail": "", "attachments": list(attachments)}
    return vault.seal(authority_id, json.dumps(content).encode(), purpose="case.application")


class CaseFactory(factory.django.DjangoModelFactory):
    """A case as the ingest stores it, without the transport behind it (for inbox and permission tests)."""

    class Meta:
        model = Case

    destination = factory.SubFactory(DestinationFactory)
    authority = factory.SelfAttribute("destination.authority")
    submission_id = factory.LazyFunction(uuid.uuid4)
    transport_case_id = factory.LazyFunction(uuid.uuid4)
    reference = factory.Sequence(lambda n: f"AW-TEST-{n:04d}-XX")
    leika_key = "99102013000000"
    service_name = "Hundesteuer"
    received_at = factory.LazyFunction(timezone.now)
    deadline = factory.LazyFunction(lambda: timezone.localdate() + timezone.timedelta(days=30))
    applicant_name_hash = factory.LazyAttribute(lambda o: vault.name_hash(o.authority.pk, "Erika Mustermann"))
    content = factory.LazyAttribute(lambda o: sealed_content(o.authority.pk))


def case_with_attachment(destination, *, content: bytes = b"%PDF-1.7 Nachweis", filename: str = "nachweis.pdf",
                         mime_type: str = "application/pdf") -> tuple[Case, uuid.UUID]:
    """A case of the destination with one sealed attachment; returns it and the attachment's id."""
    from amtsweg.casework.models import CaseAttachment

    attachment_id = uuid.uuid4()
    entry = {"attachmentId": str(attachment_id), "filename": filename, "mimeType": mime_type, "description": "",
             "purpose": "attachment", "size": len(content)}
    case = CaseFactory(destination=destination,
                       content=sealed_content(destination.authority_id, attachments=[entry]))
    CaseAttachment.objects.create(case=case, attachment_id=attachment_id, size=len(content),
                                  content=vault.seal(destination.authority_id, content, purpose="case.attachment"))
    return case, attachment_id

"""Retention of a whole case: the back office's job also deletes what the Postfach keeps (messages, their
files, Bescheide, the account's link), and the deletion record names none of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from amtsweg.accounts.models import AuditEntry
from amtsweg.casework import retention
from amtsweg.casework.models import Case, CaseDeletion, ServiceDeadline
from amtsweg.core.actors import SYSTEM
from amtsweg.postfach.models import Application, Message, MessageAttachment, Notice
from amtsweg.submissions import status

from .factories import worked_case

pytestmark = pytest.mark.django_db


def test_a_worked_case_past_its_period_goes_with_its_postfach_and_the_record_is_not_personal(
        client, routed_responsibility):
    submission, case, _worker = worked_case(client, routed_responsibility)
    ServiceDeadline.objects.create(authority=case.authority, leika_key=case.leika_key, retention_days=90)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=91))
    personal = ["Erika", "Mustermann", "Bello", "erika@example.org", "Rathausplatz", "12.08.1964", "Impfpass",
                "impfpass-bello", case.applicant_name_hash, str(case.submission_id), str(case.transport_case_id),
                str(case.pk), Application.objects.get().owner_key,
                *[str(pk) for pk in Message.objects.values_list("pk", flat=True)],
                *[str(pk) for pk in Notice.objects.values_list("pk", flat=True)]]

    assert retention.purge_expired(actor=SYSTEM).deleted == 1

    assert not Message.objects.exists() and not MessageAttachment.objects.exists()
    assert not Notice.objects.exists() and not Application.objects.exists()
    record = CaseDeletion.objects.get()
    assert record.categories == {"application": 1, "name_hash": 1, "history": record.categories["history"],
                                 "messages": 2, "message_attachments": 1, "notices": 1, "postfach_links": 1}
    stored = repr(list(CaseDeletion.objects.values_list()))
    audited = repr(list(AuditEntry.objects.filter(action="case.content_deleted").values_list()))
    for value in personal:
        assert value not in stored and value not in audited, value
    # the status link still opens, without the case: nothing of it is shown any more
    page = Client().get(status.status_path(submission.public_reference))
    assert page.status_code == 200 and "Impfpass" not in page.content.decode()


def test_a_worked_case_within_its_period_keeps_everything(client, routed_responsibility):
    _submission, case, _worker = worked_case(client, routed_responsibility)
    assert retention.purge_expired(actor=SYSTEM).deleted == 0
    assert Message.objects.count() == 2 and Notice.objects.count() == 1 and Application.objects.count() == 1
    assert Case.objects.filter(pk=case.pk).exists()

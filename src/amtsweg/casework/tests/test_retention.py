"""Aufbewahrungsfrist: the daily job deletes closed cases after their service's period, keeps a deletion record
without personal data, never touches open cases, and is safe to run again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amtsweg.accounts.models import AuditEntry
from amtsweg.casework import retention, services
from amtsweg.casework.models import (
    DEFAULT_RETENTION_DAYS,
    Case,
    CaseAttachment,
    CaseDeletion,
    CaseEntry,
    ServiceDeadline,
)
from amtsweg.casework.tasks import purge_expired_cases
from amtsweg.casework.tests.factories import CaseFactory, case_with_attachment
from amtsweg.core.actors import SYSTEM
from amtsweg.routing.tests.factories import DestinationFactory

pytestmark = pytest.mark.django_db


def _ended(case: Case, *, days_ago: int, state: str = Case.State.CLOSED) -> Case:
    Case.objects.filter(pk=case.pk).update(state=state, decision="approved",
                                           closed_at=timezone.now() - timedelta(days=days_ago))
    case.refresh_from_db()
    return case


def test_a_case_past_its_period_is_deleted_and_leaves_a_record(destination):
    ServiceDeadline.objects.create(authority=destination.authority, leika_key="99102013000000", retention_days=30)
    case, _attachment = case_with_attachment(destination)
    services.add_note(case, "Hund beißt, Vorsicht beim Hausbesuch", actor=SYSTEM)
    _ended(case, days_ago=31)

    result = retention.purge_expired(actor=SYSTEM)

    assert result.deleted == 1 and result.references == [case.reference]
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not CaseAttachment.objects.filter(case_id=case.pk).exists()
    assert not CaseEntry.objects.filter(case_id=case.pk).exists()
    record = CaseDeletion.objects.get()
    assert (record.authority_id, record.reference, record.leika_key, record.service_name, record.final_state) == (
        destination.authority_id, case.reference, "99102013000000", "Hundesteuer", "closed")
    assert record.closed_on == timezone.localdate(case.closed_at) and record.retention_days == 30
    assert record.categories == {"application": 1, "attachments": 1, "name_hash": 1, "notes": 1}
    entry = AuditEntry.objects.get(action="case.content_deleted")
    assert entry.actor is None and entry.target_id == str(record.pk) and entry.details["reference"] == case.reference


def test_a_case_before_its_period_and_open_or_decided_cases_are_kept(destination):
    ServiceDeadline.objects.create(authority=destination.authority, leika_key="99102013000000", retention_days=30)
    young = _ended(CaseFactory(destination=destination), days_ago=29)
    open_cases = [CaseFactory(destination=destination, state=state,
                              received_at=timezone.now() - timedelta(days=DEFAULT_RETENTION_DAYS * 2))
                  for state in (Case.State.RECEIVED, Case.State.IN_PROGRESS, Case.State.INQUIRY)]
    # decided long ago but never closed: still open for the Authority (closing starts the period)
    decided = _ended(CaseFactory(destination=destination), days_ago=400, state=Case.State.DECIDED)
    for case in open_cases:  # a closed_at on an open case (data error) must not delete it either
        Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=400))

    assert retention.purge_expired(actor=SYSTEM).deleted == 0
    assert Case.objects.filter(pk__in=[young.pk, decided.pk, *[c.pk for c in open_cases]]).count() == 5
    assert not CaseDeletion.objects.exists()


def test_the_default_period_applies_without_a_setting_and_per_service_and_authority(destination):
    default_case = _ended(CaseFactory(destination=destination, leika_key="99001001000000"),
                          days_ago=DEFAULT_RETENTION_DAYS - 1)
    old_default = _ended(CaseFactory(destination=destination, leika_key="99001001000000"),
                         days_ago=DEFAULT_RETENTION_DAYS + 1)
    # a short period of another Authority's service does not shorten this Authority's
    other = DestinationFactory()
    ServiceDeadline.objects.create(authority=other.authority, leika_key="99001001000000", retention_days=1)
    here = _ended(CaseFactory(destination=destination, leika_key="99001001000000"), days_ago=10)
    there = _ended(CaseFactory(destination=other, leika_key="99001001000000"), days_ago=10)

    result = retention.purge_expired(actor=SYSTEM)

    assert sorted(result.references) == sorted([old_default.reference, there.reference])
    assert set(Case.objects.values_list("pk", flat=True)) == {default_case.pk, here.pk}


def test_forwarded_cases_count_as_closed_here(destination):
    ServiceDeadline.objects.create(authority=destination.authority, leika_key="99102013000000", retention_days=7)
    forwarded = _ended(CaseFactory(destination=destination), days_ago=8, state=Case.State.FORWARDED)
    assert retention.purge_expired(actor=SYSTEM).references == [forwarded.reference]
    assert CaseDeletion.objects.get().final_state == Case.State.FORWARDED


def test_batched_idempotent_and_safe_to_rerun(destination):
    ServiceDeadline.objects.create(authority=destination.authority, leika_key="99102013000000", retention_days=1)
    cases = [_ended(CaseFactory(destination=destination), days_ago=2 + i) for i in range(5)]

    first = retention.purge_expired(actor=SYSTEM, batch_size=2)
    second = retention.purge_expired(actor=SYSTEM, batch_size=2)

    assert (first.deleted, first.batches) == (5, 3)
    assert (second.deleted, second.batches) == (0, 0)
    assert sorted(CaseDeletion.objects.values_list("reference", flat=True)) == sorted(c.reference for c in cases)
    assert AuditEntry.objects.filter(action="case.content_deleted").count() == 5


def test_a_period_lengthened_after_the_candidates_were_chosen_keeps_the_case(destination):
    setting = ServiceDeadline.objects.create(authority=destination.authority, leika_key="99102013000000",
                                             retention_days=1)
    case = _ended(CaseFactory(destination=destination), days_ago=5)
    ids, _position = retention.expired_ids(timezone.now(), limit=10)
    assert ids == [case.pk]
    setting.retention_days = 365
    setting.save()
    assert retention._purge_batch(ids, now=timezone.now(), actor=SYSTEM) == []
    assert Case.objects.filter(pk=case.pk).exists()


def test_the_record_holds_no_personal_value(destination):
    """Grep the record (every column, as stored) for every personal value the case held."""
    ServiceDeadline.objects.create(authority=destination.authority, leika_key="99102013000000", retention_days=1)
    case, attachment_id = case_with_attachment(destination, filename="Impfpass-Erika.pdf")
    services.add_note(case, "Rückruf unter 0681 12345", actor=SYSTEM)
    personal = ["Erika", "Mustermann", "Bello", "Impfpass-Erika", "0681 12345", "KASSE-1", case.applicant_name_hash,
                str(case.submission_id), str(case.transport_case_id), str(case.pk), str(attachment_id)]
    _ended(case, days_ago=3)

    retention.purge_expired(actor=SYSTEM)

    stored = repr(list(CaseDeletion.objects.values_list()))
    audited = repr(list(AuditEntry.objects.filter(action="case.content_deleted").values_list()))
    for value in personal:
        assert value not in stored and value not in audited, value


def test_the_command_enqueues_the_task_or_runs_now(destination, capsys):
    ServiceDeadline.objects.create(authority=destination.authority, leika_key="99102013000000", retention_days=1)
    case = _ended(CaseFactory(destination=destination), days_ago=3)

    call_command("casework_retention")  # enqueued on the database queue; a db_worker would run it
    assert "enqueued" in capsys.readouterr().out
    assert DBTaskResult.objects.filter(task_path=purge_expired_cases.module_path).exists()
    assert Case.objects.filter(pk=case.pk).exists()
    assert purge_expired_cases.call() == {"deleted": 1, "batches": 1}  # what the worker runs

    call_command("casework_retention", "--now")
    assert "cases deleted: 0" in capsys.readouterr().out

"""Working a case: states, assignment, notes, and reading the sealed file — plain functions, actor explicit.

Every function takes the acting person as `actor` (required; `amtsweg.core.actors.SYSTEM` for jobs) and
checks that the actor may work on the case (`Case.objects.workable_by`: own Authority, own team), so no
caller can forget it. Every change and every look at the content writes its audit entry
(`accounts.audit.record`, readable by the Authority's administrators at /verwaltung/protokoll/) and, for
changes, an entry in the case's history (`CaseEntry`), in the same transaction.

States (`Case.State`):

    received ──► in_progress ──► inquiry (Rückfrage; the deadline clock pauses) ──► in_progress
        │             │
        │             └──► decided (approved / rejected / partial) ──► closed
        └─────────────┴──► forwarded (to the responsible authority)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.accounts import audit
from amtsweg.casework import vault
from amtsweg.casework.ingest import APPLICATION, ATTACHMENT
from amtsweg.casework.models import Case, CaseAttachment, CaseEntry
from amtsweg.core.actors import is_system
from amtsweg.core.tenancy import ADMIN_ROLES, STAFF_ROLES

State = Case.State
TRANSITIONS: dict[str, set[str]] = {
    State.RECEIVED: {State.IN_PROGRESS, State.FORWARDED},
    State.IN_PROGRESS: {State.INQUIRY, State.DECIDED, State.FORWARDED},
    State.INQUIRY: {State.IN_PROGRESS},
    State.DECIDED: {State.CLOSED},
    State.CLOSED: set(),
    State.FORWARDED: set(),
}
NOTE = "case.note"
MAX_NOTE_LENGTH = 5000


class CaseworkError(Exception):
    """A step that is not possible now; the message is German and meant for the case worker."""


def check_may_work(actor: Any, case: Case) -> None:
    """PermissionDenied unless `actor` may work on `case` (the system always may). A case loaded for this
    actor by `Case.objects.get_workable` was checked by that query (the page's own lookup)."""
    if is_system(actor) or getattr(case, "workable_for", None) is actor:
        return
    if not Case.objects.workable_by(actor).filter(pk=case.pk).exists():
        raise PermissionDenied


def _person(actor: Any):
    return None if is_system(actor) else actor


def _entry(case: Case, kind: str, actor: Any, details: dict | None = None, text: bytes | None = None) -> CaseEntry:
    person = _person(actor)
    return CaseEntry.objects.create(case=case, kind=kind, actor=person,
                                    actor_username=person.get_username() if person else "",
                                    details=details or {}, text=text)


# --- states --------------------------------------------------------------------------------------------


def transition(case: Case, to: str, *, actor: Any, decision: str = "") -> Case:
    """Move the case to state `to` if the state machine allows it (CaseworkError otherwise).

    Entering Rückfrage stops the deadline clock; leaving it moves the deadline by the days it stood still.
    Deciding needs a `decision` (Case.Decision)."""
    check_may_work(actor, case)
    if to == State.DECIDED and decision not in Case.Decision.values:
        raise CaseworkError(_("Bitte wählen Sie die Entscheidung: bewilligt, abgelehnt oder teilweise bewilligt."))
    now = timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        before = locked.state
        if to not in TRANSITIONS.get(before, set()):
            raise CaseworkError(_("Ein Vorgang im Status „%(from)s“ kann nicht „%(to)s“ werden.") % {
                "from": State(before).label, "to": State(to).label})
        if before == State.INQUIRY and locked.paused_since is not None:
            paused_days = (timezone.localdate(now) - timezone.localdate(locked.paused_since)).days
            if locked.deadline and paused_days > 0:
                locked.deadline += timedelta(days=paused_days)
            locked.paused_since = None
        if to == State.INQUIRY:
            locked.paused_since = now
        if to == State.DECIDED:
            locked.decision, locked.decided_at = decision, now
        if to == State.CLOSED:
            locked.closed_at = now
        locked.state = to
        locked.save()
        details: dict[str, Any] = {"state": {"from": before, "to": to}}
        if to == State.DECIDED:
            details["decision"] = decision
        _entry(locked, CaseEntry.Kind.STATE, actor, details)
        audit.record(actor, locked.authority, "case.state_changed", locked, details)
    return locked


def start(case: Case, *, actor: Any) -> Case:
    """A case worker takes the case up (eingegangen → in Bearbeitung; also back from a Rückfrage)."""
    return transition(case, State.IN_PROGRESS, actor=actor)


def pause_for_inquiry(case: Case, *, actor: Any) -> Case:
    """Rückfrage: waiting for the applicant; the deadline clock stands still (the question itself is the
    Postfach's business)."""
    return transition(case, State.INQUIRY, actor=actor)


def decide(case: Case, decision: str, *, actor: Any) -> Case:
    return transition(case, State.DECIDED, actor=actor, decision=decision)


def close(case: Case, *, actor: Any) -> Case:
    return transition(case, State.CLOSED, actor=actor)


# --- assignment -----------------------------------------------------------------------------------------


def assignable_users(case_or_authority, *, team=None):
    """Staff who may be given cases of this Authority (and of this team, if any): active, every staff role of
    the tenancy (`core.tenancy.STAFF_ROLES`), not only the Kommune's: a Land office's people are Land
    operators, and they work the cases of the service the Land handles centrally. Administrators
    (`ADMIN_ROLES`) see every team's cases, so they are offered for every team."""
    from amtsweg.accounts.models import User

    authority_id = getattr(case_or_authority, "authority_id", None) or case_or_authority.pk
    users = User.objects.filter(authority_id=authority_id, is_active=True, role__in=STAFF_ROLES)
    if team is not None:
        users = users.filter(casework_teams=team) | users.filter(role__in=ADMIN_ROLES)
    return users.distinct().order_by("last_name", "first_name", "username")


def assign(cases: Iterable[Case], assignee: Any | None, *, actor: Any) -> int:
    """Give cases to `assignee` (None: nobody). All or nothing: every case must be workable by the actor and
    open to the assignee (same Authority, and member of the case's team). Returns the number changed."""
    cases = list(cases)
    for case in cases:
        check_may_work(actor, case)
        if assignee is not None and not Case.objects.workable_by(assignee).filter(pk=case.pk).exists():
            raise CaseworkError(_("%(name)s kann den Vorgang %(reference)s nicht bearbeiten (andere Behörde "
                                  "oder anderes Team).") % {"name": assignee.get_username(),
                                                          "reference": case.reference})
    changed = 0
    with transaction.atomic():
        for case in Case.objects.select_for_update().filter(pk__in=[c.pk for c in cases]).order_by("pk"):
            new_id = assignee.pk if assignee is not None else None
            if case.assignee_id == new_id:
                continue
            details = {"assignee": {"from": _username(case.assignee_id), "to": _username(new_id)}}
            case.assignee_id = new_id
            case.save(update_fields=["assignee", "updated_at"])
            _entry(case, CaseEntry.Kind.ASSIGNED, actor, details)
            audit.record(actor, case.authority, "case.assigned", case, details)
            changed += 1
    return changed


def _username(user_id) -> str:
    if user_id is None:
        return ""
    from amtsweg.accounts.models import User

    return User.objects.filter(pk=user_id).values_list("username", flat=True).first() or ""


# --- notes and history ----------------------------------------------------------------------------------


def add_note(case: Case, text: str, *, actor: Any) -> CaseEntry:
    """An internal note (never shown to the applicant); its text is sealed."""
    check_may_work(actor, case)
    text = (text or "").strip()
    if not text:
        raise CaseworkError(_("Bitte schreiben Sie eine Notiz."))
    if len(text) > MAX_NOTE_LENGTH:
        raise CaseworkError(_("Eine Notiz darf höchstens %(n)d Zeichen lang sein.") % {"n": MAX_NOTE_LENGTH})
    with transaction.atomic():
        entry = _entry(case, CaseEntry.Kind.NOTE, actor, {},
                       vault.seal(case.authority_id, text.encode(), purpose=NOTE))
        audit.record(actor, case.authority, "case.note_added", case, {"entry": str(entry.pk)})
    return entry


def history(case: Case, *, actor: Any) -> list[dict[str, Any]]:
    """The case's complete history, oldest first, notes opened (the caller already recorded the view)."""
    check_may_work(actor, case)
    return _history(case)


def _history(case: Case) -> list[dict[str, Any]]:
    rows = []
    for entry in CaseEntry.objects.filter(case=case).order_by("at", "id"):
        text = ""
        if entry.text:
            text = vault.open(case.authority_id, bytes(entry.text), purpose=NOTE).decode()
        rows.append({"at": entry.at, "kind": entry.kind, "kind_label": CaseEntry.Kind(entry.kind).label,
                     "actor": entry.actor_username, "details": entry.details, "text": text,
                     "summary": _summary(entry.details)})
    return rows


def _summary(details: dict[str, Any]) -> str:
    """A history entry's change in words ("eingegangen → in Bearbeitung", "an mmuster")."""
    parts = []
    state = details.get("state")
    if isinstance(state, dict) and state.get("from") in State.values and state.get("to") in State.values:
        parts.append(f"{State(state['from']).label} → {State(state['to']).label}")
    if details.get("decision") in Case.Decision.values:
        parts.append(str(Case.Decision(details["decision"]).label))
    assignee = details.get("assignee")
    if isinstance(assignee, dict):
        parts.append(_("an %(name)s") % {"name": assignee.get("to")} if assignee.get("to") else _("niemandem"))
    return ", ".join(parts)


# --- reading the sealed file ----------------------------------------------------------------------------


def open_application(case: Case, *, actor: Any) -> dict[str, Any]:
    """The application's content (data, form, payment, level of assurance, attachment list). Recorded in the
    audit trail as a view of the case."""
    check_may_work(actor, case)
    audit.record(actor, case.authority, "case.viewed", case, {"reference": case.reference})
    return json.loads(vault.open(case.authority_id, bytes(case.content), purpose=APPLICATION))


def open_case_file(case: Case, *, actor: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`open_application` and `history` for the case page, with one permission check instead of one each
    (each check is a team lookup and a query for the case)."""
    content = open_application(case, actor=actor)
    return content, _history(case)


def open_attachment(case: Case, attachment_id, *, actor: Any) -> tuple[dict[str, Any], bytes]:
    """One attachment's description (file name, type) and content; recorded in the audit trail."""
    check_may_work(actor, case)
    row = CaseAttachment.objects.filter(case=case, attachment_id=attachment_id).first()
    if row is None:
        raise CaseAttachment.DoesNotExist
    content = json.loads(vault.open(case.authority_id, bytes(case.content), purpose=APPLICATION))
    described = next((a for a in content.get("attachments", []) if a["attachmentId"] == str(attachment_id)), {})
    audit.record(actor, case.authority, "case.attachment_viewed", case,
                 {"reference": case.reference, "attachment": str(attachment_id)})
    return described, vault.open(case.authority_id, bytes(row.content), purpose=ATTACHMENT)

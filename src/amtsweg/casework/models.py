"""The back office (Amtsweg-Sachbearbeitung): data keys of the vault, cases and their file.

Stable contract for later stages (Postfach, Rückfrage, Bescheid) — change only additively:

* `DataKey`: an Authority's AES-256 data key, stored only wrapped by the KEK (`amtsweg.casework.vault`).
* `Team`: case workers of an Authority; `ServiceDeadline`: Bearbeitungsfrist and Aufbewahrungsfrist per service.
* `ReceivingSystem`: a destination on Amtsweg-Sachbearbeitung; `ReceivingKey`: its private keys (wrapped).
* `Case` (`Case.State`, `Case.Decision`; `Case.objects.workable_by(user)`), `CaseAttachment`, `CaseEntry`.
  Change state only through `amtsweg.casework.services` (acting user explicit).
* `CaseDeletion`: the record without personal data that remains when retention deleted a case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.models import Authority
from amtsweg.core.ids import uuid7
from amtsweg.core.tenancy import ADMIN_ROLES, LandAccess, TenantQuerySet
from amtsweg.routing.models import Destination


class DataKey(models.Model):
    """A per-Authority data key, wrapped by the key-encryption key (never stored in clear).

    `key_id` is named in every value sealed with it; one key per Authority is active (not retired), older
    ones only open what they sealed. `kek_id` says which KEK wrapped it (KEK rotation re-wraps)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    key_id = models.CharField(max_length=32)
    kek_id = models.CharField(max_length=32)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    tenant_path = "authority"
    # Keys to a Kommune's case files: nobody's business but the vault's (no page shows them).
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "key_id"], name="casework_datakey_uniq"),
            models.UniqueConstraint(fields=["authority"], condition=models.Q(retired_at__isnull=True),
                                    name="casework_datakey_one_active"),
        ]
        verbose_name = _("Datenschlüssel")
        verbose_name_plural = _("Datenschlüssel")

    def __str__(self) -> str:
        return f"data key {self.key_id}"


class Team(models.Model):
    """A team of case workers within an Authority (e.g. "Steuern", "Ordnungsamt"). A case given to a team is
    seen only by its members and the Authority's administrators; a case without a team by all staff."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="casework_teams",
                                  verbose_name=_("Behörde"))
    name = models.CharField(_("Name"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="casework_teams", blank=True,
                                     verbose_name=_("Mitglieder"))

    tenant_path = "authority"
    tenant_edit_roles = ADMIN_ROLES
    tenant_land_access = LandAccess.NONE  # who works on a Kommune's cases is the Kommune's business
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["authority", "name"], name="casework_team_uniq")]
        verbose_name = _("Team")
        verbose_name_plural = _("Teams")

    def __str__(self) -> str:
        return self.name


DEFAULT_PROCESSING_DAYS = 30
# Aufbewahrungsfrist without a row: ten years after closing. Deleting too early cannot be undone, keeping too
# long can (an administrator shortens it per service); so the default errs on the long side.
DEFAULT_RETENTION_DAYS = 3650


class ServiceDeadline(models.Model):
    """Per-service settings of an Authority (LeiKa key): the team that handles it, the Bearbeitungsfrist (in
    how many days it decides applications) and the Aufbewahrungsfrist (how many days after closing a case's
    content is kept before the daily retention job deletes it, `amtsweg.casework.retention`). Without a row,
    no team, `DEFAULT_PROCESSING_DAYS` and `DEFAULT_RETENTION_DAYS`. Edited at /verwaltung/sachbearbeitung/
    leistungen/ (`casework.administration`)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+", verbose_name=_("Behörde"))
    leika_key = models.CharField(_("Leistungsschlüssel"), max_length=14)
    processing_days = models.PositiveIntegerField(_("Bearbeitungsfrist (Tage)"), default=DEFAULT_PROCESSING_DAYS)
    retention_days = models.PositiveIntegerField(
        _("Aufbewahrungsfrist (Tage nach Abschluss)"), default=DEFAULT_RETENTION_DAYS,
        help_text=_("Danach löscht Amtsweg den Inhalt abgeschlossener Vorgänge dieser Leistung automatisch; "
                    "ein Löschnachweis ohne personenbezogene Daten bleibt."))
    # The team that handles the service: new cases of the service go to it (before the receiving system's
    # default team). One team per service, so a new case never has to guess between two.
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="services",
                             verbose_name=_("Team"))

    tenant_path = "authority"
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "leika_key"], name="casework_deadline_uniq")]
        verbose_name = _("Bearbeitungsfrist")
        verbose_name_plural = _("Bearbeitungsfristen")

    def __str__(self) -> str:
        return f"{self.leika_key}: {self.processing_days}"


class ReceivingSystem(models.Model):
    """A destination whose receiving system is Amtsweg-Sachbearbeitung (instead of an external Fachverfahren).

    `active` False: switched back to the external Fachverfahren (`previous_channels` are its push channels,
    restored then). Applications already encrypted for the back office's key are still taken in."""

    destination = models.OneToOneField(Destination, on_delete=models.CASCADE, related_name="casework",
                                       verbose_name=_("Zustellpunkt"))
    active = models.BooleanField(_("aktiv"), default=True)
    previous_channels = models.JSONField(default=list, blank=True)
    default_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("Team für neue Vorgänge"))
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    tenant_path = "destination__authority"
    tenant_edit_roles = ADMIN_ROLES
    tenant_land_access = LandAccess.NONE  # the receiving system holds private keys: never the Land's
    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("Empfangssystem Amtsweg-Sachbearbeitung")
        verbose_name_plural = _("Empfangssysteme Amtsweg-Sachbearbeitung")

    def __str__(self) -> str:
        return f"Amtsweg-Sachbearbeitung: {self.destination_id}"


class ReceivingKey(models.Model):
    """A private key the back office holds for a destination (its public half is a routing.DestinationKey
    with the same kid). Stored only wrapped by the KEK; `purpose` as DestinationKey's."""

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="+")
    kid = models.CharField(max_length=64)
    purpose = models.CharField(max_length=20)  # routing.DestinationKey.Purpose: encryption / signature
    wrapped_private = models.BinaryField()
    kek_id = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_path = "destination__authority"
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["destination", "kid"], name="casework_receivingkey_uniq")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.kid}"


class CaseQuerySet(TenantQuerySet):
    def workable_by(self, user, *, team_ids: list[int] | None = None) -> CaseQuerySet:
        """The cases a person may see and work on: tenancy (`visible_to`: own Authority; Land operators only the
        Land's own offices' cases) and teams (a case of a team only for its members and administrators).
        `team_ids`: the person's teams (`sees_all_teams`/`teams_of`) if the caller has them already, so a page
        that also lists them looks them up once; without them the person's teams are a subquery of the same
        statement (one round trip less for every case page and action than looking them up first)."""
        scoped = self.visible_to(user)
        if sees_all_teams(user):
            return scoped
        if team_ids is None:
            mine = Team.objects.filter(members=user.pk).values("pk") if user.pk else Team.objects.none().values("pk")
            return scoped.filter(models.Q(team__isnull=True) | models.Q(team_id__in=mine))
        return scoped.filter(models.Q(team__isnull=True) | models.Q(team_id__in=team_ids))

    def get_workable(self, user, **lookup) -> Case:
        """The one case `user` may work on (`Case.DoesNotExist` otherwise), vouched for `user`: the services'
        `check_may_work(user, case)` on this instance then trusts the query that loaded it instead of
        looking up the person's teams and the case a second time. Only this method vouches, and only for
        the very user object it was given (identity, not equality)."""
        case = self.workable_by(user).get(**lookup)
        case.workable_for = user
        return case


def sees_all_teams(user) -> bool:
    """Administrators see the cases of every team of their Authority; everyone else those of their own teams."""
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", None) in ADMIN_ROLES)


def teams_of(user) -> list[tuple[int, str]]:
    """(id, name) of the teams the person is a member of, by name."""
    if not user.pk:
        return []
    return list(Team.objects.filter(members=user).order_by("name").values_list("pk", "name"))


class Case(models.Model):
    """Vorgang in the back office: one application received through the subscriber side, and its file.

    In clear text only what the inbox filters and sorts on (reference, service, dates, state, assignee, team,
    deadline) and `applicant_name_hash` (`vault.name_hash`). The application itself (data, metadata, the form
    version's labels are looked up, not copied) is in `content`, sealed by the vault for the Authority
    (purpose `case.application`); attachments in `CaseAttachment`; the history in `CaseEntry`.
    """

    class State(models.TextChoices):
        RECEIVED = "received", _("eingegangen")
        IN_PROGRESS = "in_progress", _("in Bearbeitung")
        INQUIRY = "inquiry", _("Rückfrage")
        DECIDED = "decided", _("entschieden")
        CLOSED = "closed", _("abgeschlossen")
        FORWARDED = "forwarded", _("weitergeleitet")

    class Decision(models.TextChoices):
        APPROVED = "approved", _("bewilligt")
        REJECTED = "rejected", _("abgelehnt")
        PARTIAL = "partial", _("teilweise bewilligt")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+", verbose_name=_("Behörde"))
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="+")
    # The transport's submission and FIT-Connect case: one back-office case per submission (idempotent ingest).
    submission_id = models.UUIDField(unique=True)
    transport_case_id = models.UUIDField()
    reference = models.CharField(_("Vorgangsnummer"), max_length=20)
    leika_key = models.CharField(_("Leistungsschlüssel"), max_length=14)
    service_name = models.CharField(_("Leistung"), max_length=255)
    form_slug = models.CharField(max_length=80, blank=True)
    form_version = models.PositiveIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(_("eingegangen am"))
    state = models.CharField(_("Status"), max_length=20, choices=State.choices, default=State.RECEIVED)
    decision = models.CharField(_("Entscheidung"), max_length=20, choices=Decision.choices, blank=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("zuständig"))
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases",
                             verbose_name=_("Team"))
    deadline = models.DateField(_("Frist"), null=True, blank=True)
    # Rückfrage: the clock stands still from here; leaving the Rückfrage moves the deadline by the pause.
    paused_since = models.DateTimeField(null=True, blank=True)
    applicant_name_hash = models.CharField(max_length=64, blank=True)
    content = models.BinaryField()
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "authority"
    # Applications are none of the Land's business (its own offices' cases are its own, as everywhere).
    tenant_land_access = LandAccess.NONE
    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            # The inbox: per Authority, newest first (keyset pagination on received_at, id), per state, per
            # assignee, by deadline; exact search by reference and applicant name.
            models.Index(fields=["authority", "received_at", "id"], name="casework_inbox_idx"),
            models.Index(fields=["authority", "state", "received_at", "id"], name="casework_state_idx"),
            models.Index(fields=["authority", "assignee", "received_at", "id"], name="casework_assignee_idx"),
            models.Index(fields=["authority", "deadline", "id"], name="casework_deadline_idx"),
            models.Index(fields=["authority", "reference"], name="casework_reference_idx"),
            models.Index(fields=["authority", "applicant_name_hash"], name="casework_name_idx"),
            # the daily retention job walks the ended cases by closing time (keyset windows)
            # (authority and service included: the per-service periods are checked in the index alone)
            models.Index(fields=["closed_at", "id"], name="casework_retention_v2_idx",
                         include=["authority", "leika_key"], condition=models.Q(state__in=["closed", "forwarded"])),
            # Pages filtered by service, newest first (without it: 1 in 30 rows of the Authority match).
            models.Index(fields=["authority", "leika_key", "received_at", "id"], name="casework_service_idx"),
            # Index-only scans (measured on 1,000,000 cases: benchmarks/backoffice.py), so that PostgreSQL
            # reads no table page per case: the counts per state under every filter but the search (its
            # columns: assignee first, as its estimate is the worst), and the services offered as a filter.
            models.Index(fields=["authority", "assignee", "state", "team", "leika_key", "deadline", "received_at"],
                         name="casework_counts_idx"),
            models.Index(fields=["authority", "leika_key", "service_name", "team"], name="casework_services_idx"),
            # The backlog over all Authorities for /metrics (casework.metrics): only open cases, index-only.
            models.Index(fields=["state", "received_at"], name="casework_open_idx",
                         condition=models.Q(state__in=["received", "in_progress", "inquiry"])),
        ]
        verbose_name = _("Vorgang")
        verbose_name_plural = _("Vorgänge")

    def __str__(self) -> str:
        return self.reference

    OPEN_STATES = (State.RECEIVED, State.IN_PROGRESS, State.INQUIRY)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def is_overdue(self, today=None) -> bool:
        """Past its deadline while still open and not waiting for the applicant (Rückfrage pauses the clock)."""
        today = today or timezone.localdate()
        return bool(self.deadline and self.state in (self.State.RECEIVED, self.State.IN_PROGRESS)
                    and self.deadline < today)


class CaseAttachment(models.Model):
    """An attachment of a case: its content sealed (purpose `case.attachment`); file name and type are in the
    case's sealed content, only the id, size and order are here."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    attachment_id = models.UUIDField()  # the transport's attachment id (named in the metadata)
    position = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    content = models.BinaryField()

    tenant_path = "case__authority"
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["case", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "attachment_id"], name="casework_attachment_uniq")]

    def __str__(self) -> str:
        return f"attachment {self.attachment_id}"


class CaseEntry(models.Model):
    """One entry in a case's history: received, state changed, assigned, note, event sent, forwarded, …

    `details` holds only codes, ids and non-personal values; a note's text (personal data) is sealed in `text`
    (purpose `case.note`)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Eingang")
        STATE = "state", _("Statuswechsel")
        ASSIGNED = "assigned", _("Zuweisung")
        NOTE = "note", _("Interne Notiz")
        EVENT = "event", _("Ereignis an den Absender")
        FORWARDED = "forwarded", _("Weiterleitung")

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="entries")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)  # blank: the system
    details = models.JSONField(default=dict, blank=True)
    text = models.BinaryField(null=True, blank=True)

    tenant_path = "case__authority"
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id}"


class CaseDeletion(models.Model):
    """Löschnachweis: what remains of a case after the retention job deleted its content.

    Deliberately without personal data: no name or name hash, no answers, no file names, no staff, no
    submission or transport id (which would lead back to the applicant's Postfach link); only the case's
    public reference, the service, the Authority, when it was closed and deleted, the period applied and how
    many items of each category were deleted (`categories`: code → count, codes in `retention.CATEGORIES`)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+", verbose_name=_("Behörde"))
    reference = models.CharField(_("Vorgangsnummer"), max_length=20)
    leika_key = models.CharField(_("Leistungsschlüssel"), max_length=14)
    service_name = models.CharField(_("Leistung"), max_length=255)
    final_state = models.CharField(_("letzter Status"), max_length=20, choices=Case.State.choices)
    closed_on = models.DateField(_("abgeschlossen am"))
    retention_days = models.PositiveIntegerField(_("Aufbewahrungsfrist (Tage)"))
    deleted_at = models.DateTimeField(_("gelöscht am"), default=timezone.now)
    categories = models.JSONField(_("gelöschte Inhalte"), default=dict)

    tenant_path = "authority"
    tenant_land_access = LandAccess.NONE
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-deleted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["authority", "reference"], name="casework_deletion_uniq")]
        verbose_name = _("Löschnachweis")
        verbose_name_plural = _("Löschnachweise")

    def __str__(self) -> str:
        return self.reference

"""Demo data: the Bürgerbüro Völklingen works on Amtsweg-Sachbearbeitung, with cases in every state.

Its destination (routing demo) is switched to the back office (new key pairs; the reference client's files
for Völklingen then belong to a retired key), a case-worker account is added, and a dozen Hundesteuer
applications go through the real intake and the real ingest (encrypted, fetched, decrypted, verified, sealed,
accepted), then through the states as the case worker (one is forwarded to another office responsible for
Hundesteuer). Idempotent: nothing is added once Völklingen has cases.

The office the forwarded application goes to, the Bürgeramt Saarbrücken, gets a "Team Hundesteuer" with its
staff account (sb.sachbearbeitung, accounts demo) as member and the service given to it, so the team
administration (/verwaltung/sachbearbeitung/teams/) shows a real example; and Hundesteuer in both Kommunen
gets an Aufbewahrungsfrist of its own (`HUNDESTEUER_RETENTION_DAYS` instead of the ten-year default), so the
service settings and the closed cases' deletion dates show a retention rule. Idempotent too: once the team
exists nothing is changed (an administrator's edits stay).

Saarbrücken receives its Hundesteuer at a destination of its own ("Bürgeramt Saarbrücken – Hundesteuer",
routing demo), which is switched to the back office too, and gets a few applications of its own that
sb.sachbearbeitung walks through the states, so the Team Hundesteuer's inbox is not empty; a citizen who
applies for Hundesteuer in Saarbrücken (66111) finds the application there as well, and Völklingen's forwarded
case arrives there once the delivery worker has run. Saarbrücken's Meldebescheinigung and Baugenehmigung stay
with the Bürgeramt's Fachverfahren (the reference client's keys in var/demo-keys/).

Accounts: vk.sachbearbeitung and vk.admin (accounts demo, passwords printed there) and vk.fachdienst (printed
here, once); the team's sb.sachbearbeitung and sb.admin come from the accounts demo.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from amtsweg.accounts.models import User
from amtsweg.casework import administration, ingest, receiving, services
from amtsweg.casework.models import Case, ServiceDeadline, Team
from amtsweg.core.actors import SYSTEM

DESTINATION_NAME = "Bürgerbüro Völklingen"
AREA = "100410519519"
HUNDESTEUER = "99102013000000"
# Five years after closing: long enough for the tax assessments an application leads to (a demo value, not
# legal advice); the point is that the demo shows a rule other than the default.
HUNDESTEUER_RETENTION_DAYS = 1825
TEAM_STAFF_USERNAME = "sb.sachbearbeitung"
TEAM_NAME = "Team Hundesteuer"
SB_DESTINATION_NAME = "Bürgeramt Saarbrücken – Hundesteuer"  # routing demo
SB_AREA = "100410100100"

APPLICANTS = [
    # given name, family name, dog, breed, target state, decision
    ("Erika", "Mustermann", "Bello", "dackel", "received", ""),
    ("Murat", "Yılmaz", "Luna", "labrador", "received", ""),
    ("Sophie", "Klein", "Rocky", "mischling", "in_progress", ""),
    ("Jan", "Becker", "Kira", "schaeferhund", "in_progress", ""),
    ("Anna", "Nowak", "Balu", "golden", "inquiry", ""),
    ("Peter", "Schäfer", "Emma", "pudel", "decided", "approved"),
    ("Fatma", "Demir", "Max", "staffordshire", "decided", "rejected"),
    ("Lukas", "Weber", "Nala", "tierheim", "decided", "partial"),
    ("Marie", "Hoffmann", "Paul", "mischling", "closed", "approved"),
    ("Thomas", "Schmitt", "Lotte", "dackel", "closed", "rejected"),
    ("Klaus", "Meier", "Rex", "andere", "forwarded", ""),  # meant for another office: forwarded there
]
SB_APPLICANTS = [
    ("Hannah", "Wagner", "Frieda", "pudel", "received", ""),
    ("Mehmet", "Kaya", "Sammy", "labrador", "in_progress", ""),
    ("Laura", "Schneider", "Oskar", "mischling", "inquiry", ""),
    ("Felix", "Braun", "Bruno", "dackel", "decided", "approved"),
    ("Olga", "Petrova", "Mila", "golden", "closed", "approved"),
]
# (area, postcode, place, street) of the applicants' address
VK_PLACE = (AREA, "66333", "Völklingen", "Poststraße")
SB_PLACE = (SB_AREA, "66111", "Saarbrücken", "Sankt Johanner Markt")


def _say(stdout, line: str) -> None:
    stdout.write(line if line.endswith("\n") else line + "\n")


def load_demo(stdout) -> None:
    from amtsweg.accounts.demo import _account
    from amtsweg.routing.models import Destination

    _team(stdout)
    _saarbruecken(stdout)
    destination = Destination.objects.filter(name=DESTINATION_NAME, authority__area_ars=AREA).first()
    if destination is None:
        _say(stdout, "Sachbearbeitung-Demo übersprungen: der Zustellpunkt Bürgerbüro Völklingen fehlt.")
        return
    authority = destination.authority
    if not receiving.is_active(destination.pk):
        receiving.enable(destination, actor=SYSTEM)
        _say(stdout, f"Sachbearbeitung-Demo: {destination.name} empfängt jetzt in der Amtsweg-Sachbearbeitung "
                     "(neue Schlüssel erzeugt und veröffentlicht).")
    ServiceDeadline.objects.get_or_create(authority=authority, leika_key=HUNDESTEUER,
                                          defaults={"processing_days": 14,
                                                    "retention_days": HUNDESTEUER_RETENTION_DAYS})
    worker = _account(stdout, authority, "vk.fachdienst", User.Role.KOMMUNE_STAFF, "Petra", "Fuchs")
    if Case.objects.filter(authority=authority).exists():
        _say(stdout, "  Vorgänge bereits vorhanden.")
    else:
        made = _cases(destination, worker, APPLICANTS, VK_PLACE)
        _say(stdout, f"  {made} Hundesteuer-Anträge als Vorgänge angelegt, in jedem Status.")
    _say(stdout, "  Sachbearbeitung: /verwaltung/sachbearbeitung/ – Anmeldung als vk.sachbearbeitung, "
                 "vk.fachdienst oder vk.admin (Passwörter werden beim Anlegen angezeigt).")


def _team(stdout) -> None:
    """Saarbrücken's Team Hundesteuer with its staff account, handling Hundesteuer under its retention rule.

    Made through `casework.administration` (checked and audited as an administrator's change would be)."""
    staff = User.objects.filter(username=TEAM_STAFF_USERNAME).select_related("authority").first()
    authority = staff.authority if staff is not None else None
    if authority is None or HUNDESTEUER not in administration.service_keys(authority):
        _say(stdout, f"Team-Demo übersprungen: das Konto {TEAM_STAFF_USERNAME} oder seine Hundesteuer fehlt.")
        return
    if Team.objects.filter(authority=authority, name=TEAM_NAME).exists():
        _say(stdout, f"  {TEAM_NAME} ({authority.name}) bereits vorhanden.")
        return
    team = administration.create_team(authority, TEAM_NAME, actor=SYSTEM)
    administration.update_team(team, actor=SYSTEM, name=TEAM_NAME, member_ids=[staff.pk],
                               leika_keys=[HUNDESTEUER])
    current = administration.service_of(authority, HUNDESTEUER)
    administration.save_service(authority, HUNDESTEUER, actor=SYSTEM, processing_days=current.processing_days,
                                retention_days=HUNDESTEUER_RETENTION_DAYS, team=team)
    _say(stdout, f"  {TEAM_NAME} ({authority.name}) angelegt: Mitglied {TEAM_STAFF_USERNAME}, "
                 f"Aufbewahrungsfrist {HUNDESTEUER_RETENTION_DAYS} Tage nach Abschluss.")


def _saarbruecken(stdout) -> None:
    """Saarbrücken's Hundesteuer destination on the back office, with cases for its Team Hundesteuer.

    Before `load_demo` makes Völklingen's cases, so the one Völklingen forwards here is taken in by the back
    office (its delivery order is for the back office's channel), not by the Bürgeramt's Fachverfahren."""
    from amtsweg.routing.models import Destination, Responsibility

    destination = (Destination.objects.filter(name=SB_DESTINATION_NAME, authority__area_ars=SB_AREA)
                   .select_related("authority").first())
    worker = User.objects.filter(username=TEAM_STAFF_USERNAME, authority__area_ars=SB_AREA).first()
    routed = Responsibility.objects.filter(leika_key=HUNDESTEUER, area_ars=SB_AREA,
                                           destination=destination).exists()
    if destination is None or worker is None or not routed:
        _say(stdout, f"Sachbearbeitung Saarbrücken übersprungen: der Zustellpunkt {SB_DESTINATION_NAME}, "
                     f"seine Zuständigkeit für die Hundesteuer oder das Konto {TEAM_STAFF_USERNAME} fehlt.")
        return
    if not receiving.is_active(destination.pk):
        receiving.enable(destination, actor=SYSTEM)
        _say(stdout, f"Sachbearbeitung-Demo: {destination.name} empfängt jetzt in der Amtsweg-Sachbearbeitung.")
    if Case.objects.filter(authority=destination.authority).exists():
        _say(stdout, f"  Vorgänge von {destination.authority.name} bereits vorhanden.")
        return
    made = _cases(destination, worker, SB_APPLICANTS, SB_PLACE)
    _say(stdout, f"  {made} Hundesteuer-Anträge für {TEAM_NAME} ({destination.authority.name}) angelegt; "
                 f"Anmeldung als {TEAM_STAFF_USERNAME}.")


def _form():
    from amtsweg.assistants.models import FormVersion

    return (FormVersion.objects.filter(form__leika_key=HUNDESTEUER, published_at__isnull=False)
            .select_related("form").order_by("-number").first())


def _cases(destination, worker, applicants, place) -> int:
    from amtsweg.assistants.handoff import Attachment, FormSubmissionPayload
    from amtsweg.submissions.intake import accept_form_submission
    from amtsweg.submissions.models import Submission

    version = _form()
    slug, number = (version.form.slug, version.number) if version else ("hundesteuer", 1)
    made = 0
    area, postcode, town, street = place
    for position, (given, family, dog, breed, state, decision) in enumerate(applicants):
        data = {
            "vorname": given, "familienname": family, "geburtsdatum": f"19{70 + position}-0{1 + position % 9}-15",
            "anschrift": {"street": street, "house_number": str(10 + position), "postcode": postcode,
                          "place": town},
            "email": f"{given.lower()}.{position}@buerger.example", "hund_name": dog, "rasse": breed,
            "wurfdatum": "2023-04-01", "haltungsbeginn": "2026-11-01", "listenhund": breed == "staffordshire",
        }
        payload = FormSubmissionPayload(
            leika_key=HUNDESTEUER, form_slug=slug, form_version=number, data=data, applicant_ars=area,
            attachments=[Attachment(f"impfpass-{dog.lower()}.pdf", "application/pdf",
                                    b"%PDF-1.4\n% Impfpass " + dog.encode() + b"\n", "Impfpass")],
            auth_level="substantiell" if position % 2 else "hoch", auth_provider="bundid",
            applicant_email=data["email"], mail_status_link=False,
        )
        reference = accept_form_submission(payload)
        submission = Submission.objects.get(public_reference=reference)
        if submission.destination_id != destination.pk:
            continue  # routed elsewhere (an older demo's responsibility): the Fachverfahren there takes it
        outcome = ingest.receive(submission.pk, destination.pk)
        case = outcome.case
        if case is None:
            continue
        # Spread the arrivals over the last weeks, so the deadlines differ (one is overdue).
        received = timezone.now() - dt.timedelta(days=3 * position, hours=position)
        Case.objects.filter(pk=case.pk).update(received_at=received,
                                               deadline=timezone.localdate(received) + dt.timedelta(days=14))
        case.refresh_from_db()
        _walk(case, state, decision, worker)
        made += 1
    return made


def _walk(case: Case, state: str, decision: str, worker) -> None:
    steps = {
        "received": [],
        "in_progress": [Case.State.IN_PROGRESS],
        "inquiry": [Case.State.IN_PROGRESS, Case.State.INQUIRY],
        "decided": [Case.State.IN_PROGRESS, Case.State.DECIDED],
        "closed": [Case.State.IN_PROGRESS, Case.State.DECIDED, Case.State.CLOSED],
        "forwarded": [Case.State.IN_PROGRESS],
    }[state]
    if steps:
        services.assign([case], worker, actor=worker)
    for step in steps:
        case = services.transition(case, step, actor=worker, decision=decision if step == Case.State.DECIDED else "")
    if state == "in_progress":
        services.add_note(case, "Impfpass liegt vor; Steuermarke vorbereiten.", actor=worker)
    if state == "forwarded":
        from amtsweg.casework import forwarding

        targets = forwarding.targets(case)
        if targets:
            services.add_note(case, "Hauptwohnsitz liegt nicht in Völklingen; an die zuständige Stelle.",
                              actor=worker)
            forwarding.forward(case, targets[0], actor=worker)

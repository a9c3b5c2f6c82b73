"""Demo data of the Postfach: the offices on Amtsweg-Sachbearbeitung (casework demo: the Bürgerbüro Völklingen
and Saarbrücken's Team Hundesteuer) get a Hundesteuer Bescheid template; their cases in Rückfrage get the
question, and their decided cases their signed Bescheid in the applicant's Postfach. Idempotent: cases that
already have a message or notice are left alone. The applicants' status links are in the mails under var/mail/
(each notification names its page)."""

from __future__ import annotations

from amtsweg.accounts.models import User
from amtsweg.casework.models import Case
from amtsweg.postfach import messages, notices
from amtsweg.postfach.models import Message, Notice, NoticeTemplate

AREA = "100410519519"
HUNDESTEUER = "99102013000000"
BODY = ("Guten Tag $antragsteller,\n\nüber Ihren Antrag auf Anmeldung eines Hundes zur Hundesteuer "
        "($vorgangsnummer, eingegangen am $eingangsdatum) haben wir entschieden: Der Antrag ist $entscheidung.\n\n"
        "Rechtsbehelfsbelehrung: Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch "
        "erhoben werden.\n\nMit freundlichen Grüßen\n$behoerde")


# The case worker who writes for each office (casework demo): Völklingen's vk.fachdienst, Saarbrücken's member
# of the Team Hundesteuer.
WORKERS = ["vk.fachdienst", "sb.sachbearbeitung"]


def load_demo(stdout) -> None:
    workers = [w for w in User.objects.filter(username__in=WORKERS).select_related("authority")
               if w.authority is not None and Case.objects.filter(authority=w.authority).exists()]
    if not workers:
        stdout.write("Postfach-Demo übersprungen: die Sachbearbeitung Völklingen fehlt.\n")
        return
    for worker in sorted(workers, key=lambda w: WORKERS.index(w.username)):
        _office(worker, stdout)


def _office(worker, stdout) -> None:
    authority = worker.authority
    template = NoticeTemplate.objects.filter(authority=authority, leika_key=HUNDESTEUER, name="Hundesteuer").first()
    if template is None:
        template = notices.save_template(authority, actor=worker, leika_key=HUNDESTEUER, name="Hundesteuer",
                                         title="Bescheid über die Hundesteuer", body=BODY)
    asked = issued = 0
    for case in Case.objects.filter(authority=authority).select_related("authority"):
        if case.state == Case.State.INQUIRY and not Message.objects.filter(case=case).exists():
            messages.store_inquiry(case, actor=worker, text="Bitte laden Sie den Impfpass Ihres Hundes hoch; "
                                   "die Seite mit der Tollwutimpfung fehlt.", documents=["Impfpass (Tollwutimpfung)"])
            asked += 1
        elif case.state == Case.State.DECIDED and not Notice.objects.filter(case=case).exists():
            notices.issue(case, template, case.decision, actor=worker)
            issued += 1
    stdout.write(f"Postfach-Demo: Bescheidvorlage „Hundesteuer“ für {authority.name}; {asked} Rückfrage(n) und "
                 f"{issued} Bescheid(e) in den Postfächern der Antragsteller. "
                 "Vorlagen: /verwaltung/bescheidvorlagen/\n")

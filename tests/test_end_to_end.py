"""Issue 5's "Done when", end to end on the Saarland demo: a citizen's application goes form → routing →
encrypted → delivered, the reference Fachverfahren client (a separate process, over HTTP) decrypts it, and the
applicant's status page shows the signed events as verified: the Hundesteuer of Homburg, which the Land's
Zentrale Antragsstelle receives with its Fachverfahren (Saarbrücken and Völklingen work their Hundesteuer on
Amtsweg-Sachbearbeitung, casework demo; postfach/tests/test_end_to_end.py walks that way). A second run does the
same for Saarbrücken's fee-bearing Meldebescheinigung paid through the embedded test payment provider.

The demo is set up as `amtsweg demo` does it (shipped reference data, then every app's demo in the command's
order), with `VAR_DIR` in a temporary folder so that the destinations' private keys and API credentials land
there. Delivery runs the way production runs it: the intake's wake-up task is picked up by django-tasks-db's
`db_worker` (here in batch mode: work off the queue, then exit).
"""

from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from amtsweg.core.management.commands.demo import load_app_demos
from amtsweg.delivery.models import OutboxMessage
from amtsweg.routing.models import Destination
from amtsweg.submissions import events
from amtsweg.submissions.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAARBRUECKEN_ARS = "100410100100"
LAND_ARS = "10"
# The demo destinations whose Fachverfahren is the reference client (routing demo)
SAARBRUECKEN_FACHVERFAHREN = "Bürgeramt Saarbrücken"
LAND_FACHVERFAHREN = "Zentraler Zustellpunkt Saarland"
SUBSCRIBER_TIMEOUT_S = 60
SIGNED_EVENTS = {  # what the status page calls the steps a delivered, accepted application went through
    events.SUBMIT: "Antrag verschlüsselt eingereicht",
    events.NOTIFY: "Zuständige Stelle benachrichtigt",
    events.ACCEPT: "Antrag liegt der zuständigen Stelle vollständig vor",
}


# --- the demo -----------------------------------------------------------------------------------------
@dataclass
class SaarlandDemo:
    base_url: str
    keys_dir: Path

    def destination_entry(self, name: str) -> dict:
        """The entry of destinations.json (written by the routing demo) for the destination of this name."""
        destination = Destination.objects.get(name=name)
        listing = json.loads((self.keys_dir / "destinations.json").read_text())
        (entry,) = [e for e in listing if e["destinationId"] == str(destination.pk)]
        return entry

    def credentials(self, entry: dict) -> dict:
        """The Fachverfahren's Submission-API client (written by the submissions demo next to its keys)."""
        return json.loads((self.keys_dir / entry["destinationId"] / "api-client.json").read_text())


def _forget_routing_caches() -> None:
    """Routing's lookup index and the intake's key cache live per process, keyed by a counter that restarts with
    every test database: forget them so this test encrypts for the keys its own demo generated."""
    from amtsweg.routing.resolution import invalidate
    from amtsweg.submissions import intake

    invalidate(bump=False)
    intake._key_cache.clear()


@pytest.fixture
def saarland_demo(settings, live_server, tmp_path) -> SaarlandDemo:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    settings.VAR_DIR = var_dir
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = live_server.url  # what the demo's API credentials and payment return URLs name
    settings.AMTSWEG_TEST_PAYMENT_PROVIDER = True  # as bin/demo switches it on
    settings.AMTSWEG_PAYMENT_PROVIDER = "testbezahldienst"
    settings.AMTSWEG_TESTBEZAHLDIENST_URL = ""  # default: $PUBLIC_BASE_URL/testbezahldienst
    settings.ROUTING_INDEX_CHECK_SECONDS = 0
    _forget_routing_caches()
    call_command("import_reference", stdout=io.StringIO(), stderr=io.StringIO())
    out, err = io.StringIO(), io.StringIO()
    loaded, failed = load_app_demos(out, err)
    assert not failed, err.getvalue()
    assert {"routing", "assistants", "submissions"} <= set(loaded), out.getvalue()
    demo = SaarlandDemo(base_url=live_server.url, keys_dir=var_dir / "demo-keys")
    # The demo's own applications (the back office's cases, one forwarded to Saarbrücken's back office) are
    # delivered and anything for a Fachverfahren fetched before the test starts, as a running Fachverfahren
    # would have done: each test sees only its own.
    run_delivery_worker()
    for name in (SAARBRUECKEN_FACHVERFAHREN, LAND_FACHVERFAHREN):
        run_reference_client(demo, name, tmp_path / "demo-applications")
    mail.outbox.clear()
    yield demo
    _forget_routing_caches()


# --- the platform's delivery worker and the Fachverfahren -----------------------------------------------
def run_delivery_worker() -> None:
    """django-tasks-db's worker as the demo starts it (all queues), in batch mode: it runs the wake-up tasks the
    intake enqueued (each delivers everything due) and exits when the queue is empty."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", queue_name="*", batch=True, startup_delay=False, reload=False,
                     stdout=io.StringIO(), stderr=io.StringIO())
    finally:  # the worker installs its own shutdown handlers
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def run_reference_client(demo: SaarlandDemo, destination_name: str, out_dir: Path) -> list[dict]:
    """`amtsweg-subscriber --poll --once` in its own process with the demo Fachverfahren's credentials and keys."""
    entry = demo.destination_entry(destination_name)
    credentials = demo.credentials(entry)
    assert credentials["apiBaseUrl"] == demo.base_url
    command = [
        sys.executable, "-m", "amtsweg_subscriber", "--base-url", credentials["apiBaseUrl"],
        "--client-id", credentials["clientId"], "--private-key", entry["encryptionPrivateKey"],
        "--signing-key", entry["signaturePrivateKey"], "--out", str(out_dir), "--poll", "--once",
    ]
    env = {"PATH": "/usr/bin:/bin", "AMTSWEG_CLIENT_SECRET": credentials["clientSecret"]}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=SUBSCRIBER_TIMEOUT_S)
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def written_applications(out_dir: Path) -> list[Path]:
    return sorted(p for p in out_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


# --- the citizen's browser ------------------------------------------------------------------------------
def start_application(page, base_url: str, slug: str, postcode: str) -> None:
    page.goto(f"{base_url}/antrag/{slug}/")
    page.get_by_role("button", name="Antrag starten").click()
    page.wait_for_url("**/ort/")
    page.fill("#f-postcode", postcode)
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.wait_for_url("**/schritt/**")


def fill_person(page, email: str, address: tuple[str, str, str] = ("Sankt Johanner Markt", "66111", "Saarbrücken")
                ) -> None:
    street, postcode, place = address
    page.fill("#f-vorname", "Erika")
    page.fill("#f-familienname", "Mustermann")
    page.fill("#f-geburtsdatum", "12.08.1964")
    page.fill("#f-anschrift-street", street)
    page.fill("#f-anschrift-house_number", "7")
    page.fill("#f-anschrift-postcode", postcode)
    page.fill("#f-anschrift-place", place)
    page.fill("#f-email", email)


def next_step(page, url_pattern: str) -> None:
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.wait_for_url(url_pattern)
    assert page.locator("#error-summary").count() == 0, page.inner_text("main")


def status_link_mailed_to(address: str, reference: str) -> str:
    (message,) = [m for m in mail.outbox if address in m.to]
    assert reference in message.subject
    return re.search(r"https?://\S+/status/\S+/", message.body).group(0)


def assert_delivered_and_accepted(submission: Submission) -> None:
    messages = OutboxMessage.objects.filter(submission_id=submission.pk)
    assert messages.exists() and {m.status for m in messages} == {OutboxMessage.Status.DELIVERED}
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    logged = list(submission.events.values_list("event_type", flat=True))
    for event_type in SIGNED_EVENTS:
        assert logged.count(event_type) == 1, logged


def assert_status_page_shows_verified_events(page, status_url: str, authority_name: str) -> None:
    page.goto(status_url)
    main = page.inner_text("main")
    assert "Stand Ihres Antrags" in main and authority_name in main
    rows = page.locator("table tbody tr").all_inner_texts()
    for label in SIGNED_EVENTS.values():
        (row,) = [r for r in rows if label in r]
        assert "nicht bestätigt" not in row, row  # every step's signature checked (issue 16: said in words only
    assert "Signatur" not in main  # when it fails; the technical view is the staff's)
    assert page.inner_text("main dl .kern-badge") == "in Bearbeitung"  # not "angenommen" (reads like "bewilligt")


# --- the tests ----------------------------------------------------------------------------------------------
def test_hundesteuer_from_the_form_to_the_fachverfahren_of_the_land(saarland_demo, page, tmp_path):
    base = saarland_demo.base_url
    today = timezone.localdate()
    born, kept_since = today - timedelta(days=400), today - timedelta(days=30)

    # The citizen applies, step by step.
    start_application(page, base, "hundesteuer", "66424")  # Homburg: not connected, the Land receives it
    assert page.url.endswith("/schritt/halter/")
    fill_person(page, "erika.mustermann@example.org", ("Talstraße", "66424", "Homburg"))
    next_step(page, "**/schritt/hund/")
    page.fill("#f-hund_name", "Bello")
    page.select_option("#f-rasse", "labrador")
    page.fill("#f-wurfdatum", born.strftime("%d.%m.%Y"))
    page.fill("#f-haltungsbeginn", kept_since.strftime("%d.%m.%Y"))
    page.fill("#f-chipnummer", "276098106543210")
    page.check("#f-listenhund-1")  # Nein
    page.check("#f-ermaessigung-0")  # Keine
    next_step(page, "**/schritt/zahlung/")
    page.check("#f-lastschrift-0")  # Ja
    page.fill("#f-kontoinhaber", "Erika Mustermann")
    page.fill("#f-iban", "DE02 1203 0000 0000 2020 51")
    next_step(page, "**/pruefen/")
    summary = page.inner_text("main")
    for answer in ("Erika", "Mustermann", "Bello", "Labrador Retriever", "276098106543210", "Homburg"):
        assert answer in summary
    page.check("#f-declaration")
    page.get_by_role("button", name="Antrag verbindlich absenden").click()
    page.wait_for_url("**/antrag/eingang/**")
    receipt = page.inner_text("main")
    assert "Ihr Antrag ist eingegangen" in receipt
    reference = page.inner_text(".receipt-number").strip()

    # Routed to the Land's destination, stored as ciphertext only.
    submission = Submission.objects.select_related("destination__authority").get(public_reference=reference)
    assert submission.destination.authority.area_ars == LAND_ARS
    assert submission.destination == Destination.objects.get(name=LAND_FACHVERFAHREN)
    assert "Bello" not in submission.encrypted_data and submission.encrypted_data.count(".") == 4

    # The platform's worker delivers (the Land's push channel is an e-mail to the office, without personal data).
    run_delivery_worker()
    office_mail = [m for m in mail.outbox if submission.destination.notification_email in m.to]
    assert len(office_mail) == 1
    assert "Erika" not in office_mail[0].body and "Bello" not in office_mail[0].body

    # The Fachverfahren polls, verifies, decrypts, writes, accepts.
    out_dir = tmp_path / "fachverfahren-land"
    outcomes = run_reference_client(saarland_demo, LAND_FACHVERFAHREN, out_dir)
    assert outcomes == [{"submissionId": str(submission.pk), "status": "accepted", "detail": ""}]
    (folder,) = written_applications(out_dir)
    assert folder.name == str(submission.pk)
    application = json.loads((folder / "application.json").read_text())
    assert application["vorname"] == "Erika" and application["familienname"] == "Mustermann"
    assert application["hund_name"] == "Bello" and application["rasse"] == "labrador"
    assert application["chipnummer"] == "276098106543210"
    assert application["wurfdatum"] == born.isoformat() and application["haltungsbeginn"] == kept_since.isoformat()
    assert application["listenhund"] is False and application["lastschrift"] is True
    assert application["iban"] == "DE02120300000000202051"
    assert application["email"] == "erika.mustermann@example.org"
    assert "Talstraße" in json.dumps(application["anschrift"], ensure_ascii=False)
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["publicServiceType"]["identifier"] == "urn:de:fim:leika:leistung:99102013000000"
    assert metadata["amtswegExtension"]["destinationId"] == str(submission.destination_id)
    assert metadata["additionalReferenceInfo"]["senderReference"] == reference
    assert_delivered_and_accepted(submission)
    # A second poll finds nothing waiting and writes nothing twice.
    assert run_reference_client(saarland_demo, LAND_FACHVERFAHREN, out_dir) == []
    assert written_applications(out_dir) == [folder]

    # The applicant follows the mailed link: every step signed and verified.
    status_url = status_link_mailed_to("erika.mustermann@example.org", reference)
    assert status_url.startswith(f"{base}/status/{reference}/")
    assert_status_page_shows_verified_events(page, status_url, submission.destination.authority.name)


def test_meldebescheinigung_paid_with_the_test_provider_carries_the_payment(saarland_demo, page, tmp_path):
    from amtsweg.payments.models import PaymentStatus, PaymentTransaction

    base = saarland_demo.base_url
    demo_submissions = set(Submission.objects.values_list("pk", flat=True))  # the back office's demo cases
    ours = Submission.objects.exclude(pk__in=demo_submissions)
    start_application(page, base, "meldebescheinigung", "66111")
    assert page.url.endswith("/schritt/person/")
    fill_person(page, "erika.m@example.org")
    next_step(page, "**/schritt/bescheinigung/")
    page.check("#f-art-0")  # einfache Meldebescheinigung
    page.check("#f-zweck-0")  # Arbeitgeber
    page.fill("#f-anzahl", "1")
    page.check("#f-versand-1")  # Abholung
    next_step(page, "**/pruefen/")
    assert "10,00 €" in page.inner_text("main")
    page.check("#f-declaration")
    page.get_by_role("button", name="Weiter zur Bezahlung").click()

    # The embedded test provider's pay page (a separate endpoint, reached over HTTP by the platform).
    page.wait_for_url("**/testbezahldienst/bezahlen/**")
    assert "10,00" in page.inner_text("main")
    assert not ours.exists()  # nothing is handed over before the payment
    page.get_by_role("button", name="Bezahlen", exact=True).click()
    page.wait_for_url("**/antrag/eingang/**")
    payment = PaymentTransaction.objects.get()
    assert payment.status == PaymentStatus.PAID
    receipt = page.inner_text("main")
    assert "Ihr Antrag ist eingegangen" in receipt and payment.reference in receipt
    reference = page.inner_text(".receipt-number").strip()
    submission = ours.select_related("destination__authority").get()
    assert submission.public_reference == reference
    assert submission.destination.authority.area_ars == SAARBRUECKEN_ARS

    run_delivery_worker()
    out_dir = tmp_path / "fachverfahren-saarbruecken"
    outcomes = run_reference_client(saarland_demo, SAARBRUECKEN_FACHVERFAHREN, out_dir)
    assert [(o["submissionId"], o["status"]) for o in outcomes] == [(str(submission.pk), "accepted")]
    (folder,) = written_applications(out_dir)
    application = json.loads((folder / "application.json").read_text())
    assert application["art"] == "einfach" and application["zweck"] == ["arbeitgeber"]
    assert application["versand"] == "abholung" and application["vorname"] == "Erika"
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["publicServiceType"]["identifier"] == "urn:de:fim:leika:leistung:99115004001005"
    info = metadata["paymentInformation"]
    assert info["transactionReference"] == payment.reference
    assert info["status"] == "BOOKED" and info["grossAmount"] == 10.0
    assert_delivered_and_accepted(submission)

    status_url = status_link_mailed_to("erika.m@example.org", reference)
    assert_status_page_shows_verified_events(page, status_url, submission.destination.authority.name)

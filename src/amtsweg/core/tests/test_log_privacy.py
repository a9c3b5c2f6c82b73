"""No personal data in the logs, whoever logs: ours, Django's or a library's (issue 12, item 6).

One whole application runs with every logger at DEBUG into the configured JSON handler: a citizen enters
distinctive values (a CJK given name, a family name with rare Latin letters, address, e-mail, phone, IBAN,
free text, an upload), submits, opens the receipt and its PDF (which needs the CJK fallback font) and the
status page; delivery notifies the office by e-mail and the Fachverfahren fetches the submission through
the API. Then the log output is searched for every value entered, raw and as JSON escapes: none may appear.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from amtsweg.assistants.engine.validators import iban_check_digits
from amtsweg.assistants.models import Receipt
from amtsweg.assistants.tests.factories import FormVersionFactory
from amtsweg.core.logging import (
    EXCEPTION_MESSAGE_REMOVED,
    LIBRARY_MESSAGE_REMOVED,
    ScrubPersonalDataFilter,
    scrub_text,
)
from amtsweg.geo.tests.factories import PostcodeAreaFactory
from amtsweg.routing.tests.factories import ResponsibilityFactory
from amtsweg.submissions import status
from amtsweg.submissions.models import Submission
from amtsweg.submissions.tests.factories import ApiClientFactory, bearer

BBAN = "370400440532013000"
IBAN = f"DE{iban_check_digits('DE', BBAN)}{BBAN}"
PERSON = {
    "given_name": "李小龍", "family_name": "Ðorđević-Þórsdóttir", "birth_date": "29.02.1964",
    "address-street": "Zwetschgenallee", "address-house_number": "17b", "address-postcode": "66287",
    "address-place": "Fischbach-Camphausen", "email": "drache.7731@example.org", "phone": "0681 9876543",
}
DETAILS = {
    "has_pet": "ja", "pet_name": "Schnuffelbert", "colour": "blau", "iban": " ".join(IBAN[i:i + 4] for i in
                                                                                    range(0, len(IBAN), 4)),
    "remarks": "Geheimnis-Zwölf-Vierzig", "nicknames-0": "Drachenkönig",
}
UPLOAD_NAME, UPLOAD_SECRET = "ausweis-xiaolong.pdf", "AUSWEIS-GEHEIM-4711"
# Every value entered, also in the form the platform stores it in.
PERSONAL_VALUES = [
    *PERSON.values(), *(v for k, v in DETAILS.items() if k not in {"has_pet", "colour"}),
    "1964-02-29", "+496819876543", IBAN, BBAN, UPLOAD_NAME, UPLOAD_SECRET, "66111",
    *PERSON["given_name"],  # each CJK glyph alone (fpdf2 listed missing glyphs one by one)
    "Ðorđević", "Þórsdóttir",
]


def _variants(value: str) -> set[str]:
    """The value as written raw, as JSON writes it (\\u escapes) and lower-cased."""
    return {value, json.dumps(value)[1:-1], value.lower()}


@pytest.mark.django_db(transaction=True)
def test_a_whole_application_leaves_no_personal_value_in_the_logs(all_logs, settings, tmp_path, mailoutbox):
    from amtsweg.delivery import services as delivery

    settings.MEDIA_ROOT = tmp_path
    settings.AMTSWEG_SUBMISSION_INTAKE = "amtsweg.submissions.intake.accept_form_submission"
    responsibility = ResponsibilityFactory(leika_key="99102013000000", destination__email=True)
    PostcodeAreaFactory(postcode="66111", municipality=responsibility.authority.municipality)
    FormVersionFactory(published=True, form__slug="testantrag")
    citizen = Client()
    place_url = citizen.post(reverse("assistants:start", args=["testantrag"]))["Location"]
    person_url = citizen.post(place_url, {"postcode": "66111", "action": "next"})["Location"]
    citizen.post(person_url, dict(PERSON, email="drache.7731@"))  # an error page echoes what was typed
    details_url = citizen.post(person_url, dict(PERSON, action="next"))["Location"]
    evidence_url = citizen.post(details_url, dict(DETAILS, action="next"))["Location"]
    upload = SimpleUploadedFile(UPLOAD_NAME, b"%PDF-1.4\n" + UPLOAD_SECRET.encode() + b"\n%%EOF",
                                content_type="application/pdf")
    summary_url = citizen.post(evidence_url, {"document": upload, "action": "next"})["Location"]
    assert summary_url.endswith("/pruefen/"), summary_url
    summary = citizen.get(summary_url).content.decode()
    assert "Schnuffelbert" in summary
    receipt_url = citizen.post(summary_url, {"declaration": "yes"})["Location"]
    receipt = Receipt.objects.get()
    assert "李小龍" in citizen.get(receipt_url).content.decode()
    pdf = citizen.get(reverse("assistants:receipt_pdf", args=[receipt.id]))
    assert pdf.status_code == 200
    assert citizen.get(status.status_path(receipt.reference)).status_code == 200
    citizen.get(f"/orte/?q={PERSON['family_name']}")  # a search with a name in the query string

    assert delivery.run_until_idle()["delivered"] >= 1
    submission = Submission.objects.get()
    fachverfahren = Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(subscriber_for=submission.destination)))
    assert fachverfahren.get(f"/v1/submissions/{submission.pk}").status_code == 200
    assert {m.to[0] for m in mailoutbox} >= {"drache.7731@example.org"}  # the status mail went out

    output = all_logs.getvalue()
    assert output.count("\n") > 20, "the run should have logged something"
    lines = [json.loads(line) for line in output.splitlines()]
    decoded = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    found = {value for value in PERSONAL_VALUES for variant in _variants(value)
             if variant in output or variant in decoded}
    assert not found, f"personal values in the logs: {sorted(found)}"


def _record(name: str, msg, args=(), **extra) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args, None)
    record.__dict__.update(extra)
    return record


def test_a_library_record_keeps_only_its_message_template():
    record = _record("fpdf.output", "Font %s is missing the following glyphs: %s", ("DejaVu", "李 (\\u674e)"),
                     glyphs="李")
    ScrubPersonalDataFilter().filter(record)
    assert record.getMessage() == "Font %s is missing the following glyphs: %s"
    assert not hasattr(record, "glyphs")
    preformatted = _record("somelibrary", "could not parse 'Erika Mustermann'")
    ScrubPersonalDataFilter().filter(preformatted)
    assert preformatted.getMessage() == LIBRARY_MESSAGE_REMOVED
    sql = _record("django.db.backends", "(%.3f) %s; args=%s", (0.1, "SELECT …", ("Erika",)))
    ScrubPersonalDataFilter().filter(sql)
    assert "Erika" not in sql.getMessage()


def test_our_records_keep_their_arguments_and_ids():
    record = _record("amtsweg.delivery.services", "delivered %s messages", (3,), submission="0190-abc",
                     email="erika@example.org")
    ScrubPersonalDataFilter().filter(record)
    assert record.getMessage() == "delivered 3 messages" and record.submission == "0190-abc"
    assert not hasattr(record, "email")


@pytest.mark.parametrize("logger", ["amtsweg.assistants.views", "jsonschema"])
def test_tracebacks_lose_the_exception_messages(logger):
    given, family = "Erika", "Mustermann"  # the code lines in the traceback name only the variables
    try:
        try:
            int(given)
        except ValueError as exc:
            raise RuntimeError(f"hand-over of {family} failed") from exc
    except RuntimeError:
        record = logging.LogRecord(logger, logging.ERROR, __file__, 1, "hand-over failed", (), sys.exc_info())
    ScrubPersonalDataFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "Erika" not in text.replace('given, family = "Erika"', "")
    assert "Mustermann" not in text.replace('"Mustermann"', "")
    assert re.search(rf"ValueError: {re.escape(EXCEPTION_MESSAGE_REMOVED)}", text)
    assert f"RuntimeError: {EXCEPTION_MESSAGE_REMOVED}" in text
    assert "test_log_privacy.py" in text and "int(given)" in text  # where it happened is kept


def test_capability_segments_of_paths_are_removed():
    """The resume token and the status signature open an application; a request line must not carry them."""
    record = _record("django.server", '"%s" %s %s', ("GET /antrag/fortsetzen/eyJkIjoi.sig/ HTTP/1.1", "302", "0"))
    ScrubPersonalDataFilter().filter(record)
    assert record.getMessage() == '"GET /antrag/fortsetzen/[entfernt]/ HTTP/1.1" 302 0'
    record = _record("django.request", "Internal Server Error: %s", ("/status/AW-1234/abcdefSIG/",))
    record.request = type("Request", (), {"path": "/status/AW-1234/abcdefSIG/", "method": "GET"})()
    ScrubPersonalDataFilter().filter(record)
    assert record.getMessage() == "Internal Server Error: /status/AW-1234/[entfernt]/"
    assert record.path == "/status/AW-1234/[entfernt]/"
    assert scrub_text("/status/AW-1234/") == "/status/AW-1234/"  # the help page names only the reference

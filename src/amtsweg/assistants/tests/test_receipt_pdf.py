"""The receipt PDF: rendered once per language and kept encrypted, bounded in size, every name printed."""

import logging
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from amtsweg.assistants import pdf as receipt_pdf_module
from amtsweg.assistants import services
from amtsweg.assistants.models import Receipt, ReceiptDocument
from amtsweg.assistants.pdf import MAX_CHARACTERS, SHAPING_COST, bounded_sections, receipt_pdf

from .flows import submit_application
from .pdftext import printed_characters

pytestmark = pytest.mark.django_db

RARE_NAMES = ["李小龍", "김민준", "Ørjan Đặng", "Ἀλέξανδρος", "Зоя", "ﾊﾝｶｸ", "محمد عبد الله", "דוד כהן",
              "अनुष्का शर्मा", "สมชาย ใจดี", "ሰላም ተስፋዬ", "தமிழ்செல்வன்"]


def _receipt(version, sections) -> Receipt:
    from amtsweg.assistants import crypto

    receipt = Receipt(draft_key=uuid.uuid4(), version=version, reference="AW-TEST-PDF", submitted_at=timezone.now())
    summary = {"sections": sections, "sections_en": sections, "place": {}, "payment": None, "email_given": False}
    receipt.ciphertext = crypto.encrypt_json(summary, str(receipt.id))
    receipt.save(force_insert=True)
    return receipt


def test_receipt_pdf_is_rendered_once_and_kept_encrypted(client, published, postcode, test_intake, monkeypatch):
    calls = []
    real = receipt_pdf_module.receipt_pdf

    def counting(*args, **kwargs):
        calls.append(args[2] if len(args) > 2 else kwargs.get("language"))
        return real(*args, **kwargs)

    monkeypatch.setattr(receipt_pdf_module, "receipt_pdf", counting)
    submit_application(client)
    receipt = Receipt.objects.get()
    url = reverse("assistants:receipt_pdf", args=[receipt.id])
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert first.content.startswith(b"%PDF")
    assert calls == ["de"]
    stored = ReceiptDocument.objects.get(receipt=receipt, language="de")
    assert b"%PDF" not in bytes(stored.ciphertext) and b"Erika" not in bytes(stored.ciphertext)
    client.cookies["django_language"] = "en"
    assert client.get(url).status_code == 200 and calls == ["de", "en"]
    services.purge_expired(timezone.now() + timezone.timedelta(days=365))
    assert not ReceiptDocument.objects.exists()


def test_the_pdf_has_a_size_bound(published):
    """An applicant who fills every field to its maximum cannot make one download cost seconds."""
    rows = [{"label": f"Feld {i}", "value": "Lorem ipsum dolor sit amet " * 150} for i in range(200)]
    sections = [{"title": "Angaben", "rows": rows}]  # 800,000 characters: ~11 s of fpdf2 unbounded
    receipt = _receipt(published, sections)
    document = receipt_pdf(receipt, services.receipt_summary(receipt), "de")
    assert document.startswith(b"%PDF")
    bounded, shortened = bounded_sections(sections)
    assert shortened
    assert sum(len(r["label"]) + len(r["value"]) for s in bounded for r in s["rows"]) <= MAX_CHARACTERS
    assert bounded[0]["rows"][-1]["value"].endswith(" …")
    assert bounded_sections([{"title": "A", "rows": rows[:2]}]) == ([{"title": "A", "rows": rows[:2]}], False)


def test_every_unicode_name_is_printed_without_a_missing_glyph_warning(published, caplog):
    rows = [{"label": "Name", "value": name} for name in RARE_NAMES]
    receipt = _receipt(published, [{"title": "Angaben zur Person", "rows": rows}])
    with caplog.at_level(logging.DEBUG):
        document = receipt_pdf(receipt, services.receipt_summary(receipt), "de")
    printed = printed_characters(document)
    for name in RARE_NAMES:
        assert set(name.replace(" ", "")) <= printed, name
    assert not [r for r in caplog.records if "missing" in r.getMessage()]


def test_latin_only_receipts_do_not_load_the_cjk_font(published):
    receipt = _receipt(published, [{"title": "Person", "rows": [{"label": "Name", "value": "Jörg SSlawski"}]}])
    assert b"WenQuanYi" not in receipt_pdf(receipt, services.receipt_summary(receipt), "de")
    receipt = _receipt(published, [{"title": "Person", "rows": [{"label": "Name", "value": "李小龍"}]}])
    assert b"WenQuanYi" in receipt_pdf(receipt, services.receipt_summary(receipt), "de")


def test_right_to_left_and_indic_values_are_shaped_within_the_size_bound(published):
    """HarfBuzz costs about five times the plain layout; its characters count that much in the bound."""
    rows = [{"label": f"Feld {i}", "value": "محمد عبد الله " * 300} for i in range(50)]
    receipt = _receipt(published, [{"title": "Angaben", "rows": rows}])
    document = receipt_pdf(receipt, services.receipt_summary(receipt), "de")
    assert set("محمدعبدالله") <= printed_characters(document)
    bounded, shortened = bounded_sections([{"title": "Angaben", "rows": rows}])
    assert shortened and sum(len(r["value"]) for r in bounded[0]["rows"]) <= MAX_CHARACTERS // SHAPING_COST

"""The PDF receipt (fpdf2 with a Unicode TrueType font, so umlauts and ß print correctly)."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]


def _font_path(name: str) -> Path:
    for directory in FONT_DIRS:
        if (directory / name).exists():
            return directory / name
    raise RuntimeError("DejaVu fonts missing: install Debian's fonts-dejavu-core (bin/setup does)")


def receipt_pdf(receipt, summary: dict, language: str = "de", status_url: str | None = None) -> bytes:
    with translation.override(language):
        pdf = FPDF(format="A4")
        pdf.set_title(_("Eingangsbestätigung"))
        pdf.set_lang(language)
        pdf.add_font("DejaVu", "", str(_font_path("DejaVuSans.ttf")))
        pdf.add_font("DejaVu", "B", str(_font_path("DejaVuSans-Bold.ttf")))
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.add_page()
        width = pdf.epw
        pdf.set_font("DejaVu", "B", 16)
        pdf.multi_cell(width, 9, _("Eingangsbestätigung"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 11)
        title = receipt.version.spec.title(language)
        submitted = timezone.localtime(receipt.submitted_at).strftime("%d.%m.%Y %H:%M")
        lines = [
            _("Antrag: %(title)s") % {"title": title},
            _("Antragsnummer: %(reference)s") % {"reference": receipt.reference},
            _("Eingegangen am: %(date)s Uhr") % {"date": submitted},
        ]
        place = summary.get("place") or {}
        if place.get("name"):
            lines.append(_("Ort: %(postcode)s %(name)s (ARS %(ars)s)") % place)
        payment = summary.get("payment")
        if payment:
            euros = f"{payment['amount_cents'] // 100},{payment['amount_cents'] % 100:02d} €"
            lines.append(_("Gebühr bezahlt: %(amount)s (Zahlung %(reference)s)") % {
                "amount": euros, "reference": payment["reference"]})
        for line in lines:
            pdf.multi_cell(width, 6, line, new_x="LMARGIN", new_y="NEXT")
        if status_url:
            pdf.ln(2)
            pdf.multi_cell(width, 6, _("Den Bearbeitungsstand Ihres Antrags sehen Sie hier:"), new_x="LMARGIN",
                           new_y="NEXT")
            pdf.set_text_color(0, 70, 173)
            pdf.multi_cell(width, 6, status_url, link=status_url, new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
            if summary.get("email_given"):
                pdf.multi_cell(width, 6, _("Diesen Link haben wir Ihnen auch per E-Mail geschickt."),
                               new_x="LMARGIN", new_y="NEXT")
        sections = summary["sections_en"] if language == "en" else summary["sections"]
        for section in sections:
            pdf.ln(4)
            pdf.set_font("DejaVu", "B", 12)
            pdf.multi_cell(width, 7, section["title"], new_x="LMARGIN", new_y="NEXT")
            for row in section["rows"]:
                pdf.set_font("DejaVu", "B", 10)
                pdf.multi_cell(width, 5, row["label"], new_x="LMARGIN", new_y="NEXT")
                pdf.set_font("DejaVu", "", 10)
                pdf.multi_cell(width, 5, row["value"], new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(width, 5, _("Bitte bewahren Sie diese Bestätigung auf. Bei Rückfragen geben Sie die "
                                   "Antragsnummer an."), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())

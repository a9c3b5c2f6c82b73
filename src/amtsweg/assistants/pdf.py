"""The PDF receipt (fpdf2 with Unicode TrueType fonts and a CJK fallback, so every name prints correctly).

Rendering costs CPU in proportion to the text (fpdf2 lays out about 70,000 characters per second), and an
anonymous applicant decides how much text there is. So the receipt prints at most `MAX_CHARACTERS` of
answers and `MAX_ROWS` rows; beyond that it says plainly that the list is shortened (the responsible
office received everything). The view renders each receipt once per language and keeps it encrypted
(`services.receipt_document`).
"""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF

from amtsweg.core.pdf import needs_shaping, unicode_font, write_sections

MAX_CHARACTERS = 20_000  # labels and values together: about 0.3 s of layout
MAX_ROWS = 400
ROW_COST = 40  # what a row costs beyond its characters (two cells, two font switches), in characters
SHAPING_COST = 6  # a character that goes through HarfBuzz (right-to-left, Indic, ...) costs this many
ELLIPSIS = " …"


def bounded_sections(sections: list[dict]) -> tuple[list[dict], bool]:
    """The sections cut to the size bound, and whether anything was left out or shortened."""
    budget, rows_left, shortened = MAX_CHARACTERS, MAX_ROWS, False
    result = []
    for section in sections:
        if budget <= 0 or rows_left <= 0:
            return result, True
        rows = []
        budget -= len(section["title"]) + ROW_COST
        for row in section["rows"]:
            factor = SHAPING_COST if needs_shaping(row["value"]) else 1
            cost = len(row["label"]) + len(row["value"]) * factor + ROW_COST
            if budget <= 0 or rows_left <= 0:
                shortened = True
                break
            if cost > budget:
                keep = max(0, budget - len(row["label"]) - ROW_COST) // factor
                row = {**row, "value": row["value"][:keep] + ELLIPSIS}
                shortened = True
            rows.append(row)
            budget -= cost
            rows_left -= 1
        result.append({**section, "rows": rows})
    return result, shortened


def office_lines(office: dict) -> list[str]:
    """The responsible office and how to reach it, as the receipt page shows it (never the ARS)."""
    if not office.get("name"):
        return []
    lines = [_("Zuständige Stelle: %(name)s") % {"name": office["name"]}]
    if office.get("street"):
        lines.append(_("Anschrift: %(street)s, %(postcode)s %(city)s") % office)
    if office.get("phone"):
        lines.append(_("Telefon: %(phone)s") % office)
    if office.get("email"):
        lines.append(_("E-Mail: %(email)s") % office)
    return lines


def mandate_lines(summary: dict) -> list[str]:
    """The SEPA mandate given with the application (payee, Gläubiger-ID), as the receipt page shows it."""
    mandate = summary.get("sepa_mandate")
    if not mandate:
        return []
    lines = [_("SEPA-Lastschriftmandat: erteilt mit diesem Antrag")]
    if mandate.get("payee"):
        lines.append(_("Zahlungsempfänger: %(payee)s") % mandate)
    if mandate.get("creditor_id"):
        lines.append(_("Gläubiger-Identifikationsnummer: %(creditor_id)s") % mandate)
        lines.append(_("Die Mandatsreferenz teilt Ihnen die zuständige Stelle vor dem ersten Einzug mit."))
    else:
        lines.append(_("Die Gläubiger-Identifikationsnummer und die Mandatsreferenz teilt Ihnen die zuständige "
                       "Stelle vor dem ersten Einzug mit."))
    return lines


def receipt_pdf(receipt, summary: dict, language: str = "de", status_url: str | None = None) -> bytes:
    with translation.override(language):
        pdf = FPDF(format="A4")
        pdf.set_title(_("Eingangsbestätigung"))
        pdf.set_lang(language)
        sections, shortened = bounded_sections(summary["sections_en"] if language == "en" else summary["sections"])
        place = summary.get("place") or {}
        office = summary.get("office") or {}
        printed = [receipt.version.spec.title(language), place.get("name", ""), *office.values(),
                   *mandate_lines(summary)]
        printed += [s["title"] for s in sections]
        printed += [text for s in sections for row in s["rows"] for text in (row["label"], row["value"])]
        unicode_font(pdf, printed)
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
        if place.get("name"):
            lines.append(_("Ort: %(postcode)s %(name)s") % {"postcode": place.get("postcode", ""),
                                                           "name": place["name"]})
        lines += office_lines(office)
        lines += mandate_lines(summary)
        payment = summary.get("payment")
        if payment:
            euros = f"{payment['amount_cents'] // 100},{payment['amount_cents'] % 100:02d} €"
            lines.append(_("Gebühr bezahlt: %(amount)s, Kassenzeichen %(reference)s (so steht die Zahlung auf "
                           "Ihrem Kontoauszug)") % {"amount": euros, "reference": payment["reference"]})
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
        write_sections(pdf, sections, width)
        if shortened:
            pdf.ln(4)
            pdf.set_font("DejaVu", "B", 10)
            pdf.multi_cell(width, 5, _("Ihre Angaben sind hier gekürzt wiedergegeben. Die zuständige Stelle hat "
                                       "sie vollständig erhalten."), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(width, 5, _("Bitte bewahren Sie diese Bestätigung auf. Bei Rückfragen geben Sie die "
                                   "Antragsnummer an."), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())

"""The two documents a Kommune signs when it takes over an offer, as PDF: the reuse agreement
(Nachnutzungsvereinbarung) and the data-processing agreement (AVV, Art. 28 DSGVO).

Both are generated from the offer's stored data, never typed anew: the reuse agreement prints the exact
agreement version (with its SHA-256, the same the acceptance records), the Land's cost rule and the Kommune's
expected share; the AVV names the parties, the offer's services and the measures the platform really takes
(end-to-end encryption to the Kommune's own destination). A Kommune's legal office reads these before its
administration accepts in the shop (issue 16, item 9), so they must say what the platform does.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from amtsweg.accounts.models import Authority
from amtsweg.core.pdf import shaping_for, unicode_font

from .models import AgreementVersion, Offer
from .reports import ShareEstimate, euros

WIDTH = 180  # mm of text on A4 with fpdf2's default margins


def land_operator(offer: Offer) -> Authority | None:
    """The Land's own authority (the platform operator, processor in the AVV), if registered."""
    return Authority.objects.filter(land_code=offer.land_code, kind=Authority.Kind.LAND).order_by("pk").first()


def _address(authority: Authority | None, fallback: str) -> str:
    if authority is None:
        return fallback
    place = " ".join(part for part in (authority.postcode, authority.city) if part)
    return ", ".join(part for part in (authority.name, authority.street, place) if part)


def share_rule_text(offer: Offer) -> str:
    """The Land's cost rule in words, as the agreement's § on costs refers to it."""
    if offer.cost_sharing == Offer.Sharing.FIXED:
        return _("Jede teilnehmende Kommune zahlt %(fee)s € im Jahr, monatsgenau anteilig.") % {
            "fee": euros(offer.fixed_fee_cents)}
    if offer.cost_sharing == Offer.Sharing.POPULATION:
        return _("Die jährlichen Betriebskosten von %(cost)s € werden nach Einwohnerzahl × Monaten der Teilnahme "
                 "auf die teilnehmenden Kommunen verteilt.") % {"cost": euros(offer.annual_cost_cents)}
    return _("Die jährlichen Betriebskosten von %(cost)s € werden zu gleichen Teilen, gewichtet nach Monaten der "
             "Teilnahme, auf die teilnehmenden Kommunen verteilt.") % {"cost": euros(offer.annual_cost_cents)}


def share_estimate_text(estimate: ShareEstimate) -> str:
    """How the expected share follows from the rule, with the figures used."""
    if estimate.model == Offer.Sharing.FIXED:
        return _("Voraussichtlicher Anteil Ihrer Kommune: %(share)s € im Jahr (fester Betrag je Kommune).") % {
            "share": euros(estimate.cents)}
    if estimate.model == Offer.Sharing.POPULATION:
        text = _("Voraussichtlicher Anteil Ihrer Kommune: %(share)s € im Jahr = %(cost)s € × %(pop)s Einwohner / "
                 "%(total)s Einwohner aller %(n)s teilnehmenden Kommunen (einschließlich Ihrer).") % {
            "share": euros(estimate.cents), "cost": euros(estimate.annual_cost_cents),
            "pop": _thousands(estimate.population or 0), "total": _thousands(estimate.total_population or 0),
            "n": estimate.participants}
        if estimate.population_estimated:
            text += " " + _("Ihre Einwohnerzahl ist unbekannt; angesetzt ist der Median der übrigen Kommunen.")
        return text
    return _("Voraussichtlicher Anteil Ihrer Kommune: %(share)s € im Jahr = %(cost)s € / %(n)s teilnehmende "
             "Kommunen (einschließlich Ihrer).") % {
        "share": euros(estimate.cents), "cost": euros(estimate.annual_cost_cents), "n": estimate.participants}


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _new_pdf(texts: list[str]):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    unicode_font(pdf, texts)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    return pdf


def _heading(pdf, text: str, size: int = 14) -> None:
    pdf.set_font("DejaVu", "B", size)
    shaping_for(pdf, text)
    pdf.multi_cell(WIDTH, size * 0.5 + 1, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_shaping(False)
    pdf.ln(2)


def _paragraph(pdf, text: str, *, bold: bool = False) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", 10)
    shaping_for(pdf, text)
    pdf.multi_cell(WIDTH, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_shaping(False)
    pdf.ln(1.5)


def _signatures(pdf, left: str, right: str) -> None:
    pdf.ln(12)
    pdf.set_font("DejaVu", "", 9)
    y = pdf.get_y()
    pdf.line(pdf.l_margin, y, pdf.l_margin + 80, y)
    pdf.line(pdf.l_margin + 100, y, pdf.l_margin + 180, y)
    pdf.set_xy(pdf.l_margin, y + 1)
    pdf.multi_cell(80, 4, left)
    pdf.set_xy(pdf.l_margin + 100, y + 1)
    pdf.multi_cell(80, 4, right)


def agreement_pdf(offer: Offer, agreement: AgreementVersion, authority: Authority, estimate: ShareEstimate,
                  *, day: date) -> bytes:
    """The reuse agreement (Nachnutzungsvereinbarung) of `offer` for `authority`, exactly `agreement`'s text."""
    operator = land_operator(offer)
    provider = f"{offer.provider_name} ({offer.get_provider_kind_display()})"
    parts = [
        (_("Anbieter des Online-Dienstes"), provider),
        (_("Betrieb der Plattform"), _address(operator, _("Land-Betrieb"))),
        (_("Nachnutzende Kommune"), _address(authority, authority.name)),
        (_("Online-Dienst"), offer.name),
        (_("Leistungen"), ", ".join(offer.public_services.order_by("name").values_list("name", flat=True)) or "–"),
    ]
    texts = [agreement.title, agreement.text, *(value for _label, value in parts)]
    pdf = _new_pdf(texts)
    _heading(pdf, _("Nachnutzungsvereinbarung"), 16)
    _paragraph(pdf, f"{agreement.title} – " + _("Version %(v)s vom %(d)s") % {
        "v": agreement.version, "d": agreement.published_on.strftime("%d.%m.%Y")})
    for label, value in parts:
        _paragraph(pdf, label, bold=True)
        _paragraph(pdf, value)
    pdf.ln(2)
    _heading(pdf, _("Text der Vereinbarung"), 12)
    for block in agreement.text.replace("\r\n", "\n").split("\n\n"):
        if block.strip():
            _paragraph(pdf, block.strip())
    pdf.ln(2)
    _heading(pdf, _("Kosten (Anlage)"), 12)
    _paragraph(pdf, share_rule_text(offer))
    _paragraph(pdf, share_estimate_text(estimate))
    _paragraph(pdf, _("Stand %(d)s, bei ganzjähriger Teilnahme. Der tatsächliche Anteil wird jährlich nach den "
                      "Monaten der Teilnahme aller Kommunen berechnet und sinkt, wenn weitere Kommunen "
                      "teilnehmen.") % {"d": day.strftime("%d.%m.%Y")})
    _paragraph(pdf, _("Kündigungsfrist: %(m)s Monate zum Monatsende.") % {"m": agreement.notice_months})
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(WIDTH, 4, _("Prüfsumme des Vereinbarungstextes (SHA-256): %(sha)s") % {"sha": agreement.sha256},
                   new_x="LMARGIN", new_y="NEXT")
    _signatures(pdf, _("Ort, Datum, Unterschrift – für die Kommune"), _("Ort, Datum, Unterschrift – für das Land"))
    return bytes(pdf.output())


def avv_pdf(offer: Offer, agreement: AgreementVersion | None, authority: Authority) -> bytes:
    """The data-processing agreement (Art. 28 DSGVO): the Kommune is the controller, the Land's operator the
    processor; subject, data and measures from the offer and from what the platform does."""
    operator = land_operator(offer)
    operator_text = _address(operator, _("Land-Betrieb"))
    services = ", ".join(offer.public_services.order_by("name").values_list("name", flat=True)) or offer.name
    sections = [
        (_("§ 1 Parteien"),
         _("Verantwortlicher: %(controller)s. Auftragsverarbeiter: %(processor)s, als Betreiber der Plattform "
           "Amtsweg.") % {"controller": _address(authority, authority.name), "processor": operator_text}),
        (_("§ 2 Gegenstand und Dauer"),
         _("Der Auftragsverarbeiter betreibt für den Verantwortlichen den Online-Dienst „%(offer)s“ (%(services)s): "
           "Entgegennahme der Anträge, Bezahlung der Gebühren und Zustellung an den Zustellpunkt des "
           "Verantwortlichen. Die Vereinbarung gilt so lange wie die Nachnutzungsvereinbarung%(version)s.")
         % {"offer": offer.name, "services": services,
            "version": (" " + _("(Version %(v)s)") % {"v": agreement.version}) if agreement else ""}),
        (_("§ 3 Art der Daten und betroffene Personen"),
         _("Betroffen sind Antragstellende und die in Anträgen genannten Personen. Verarbeitet werden die Angaben "
           "und Nachweise der Anträge, Kontaktdaten, die Identität aus dem Nutzerkonto, soweit verwendet, und "
           "Zahlungsdaten der Gebühr.")),
        (_("§ 4 Weisungen"),
         _("Der Auftragsverarbeiter verarbeitet die Daten nur auf dokumentierte Weisung des Verantwortlichen "
           "(Art. 28 Abs. 3 lit. a DSGVO) und informiert ihn, wenn eine Weisung gegen Datenschutzrecht verstößt.")),
        (_("§ 5 Technische und organisatorische Maßnahmen"),
         _("Anträge werden Ende-zu-Ende für den Zustellpunkt des Verantwortlichen verschlüsselt zugestellt; "
           "der Auftragsverarbeiter kann sie nicht lesen. Zugänge sind mit zweitem Faktor "
           "geschützt und protokolliert; Entwürfe und zugestellte Anträge werden nach den festgelegten Fristen "
           "gelöscht.")),
        (_("§ 6 Vertraulichkeit, Unterauftragsverarbeiter, Unterstützung"),
         _("Die eingesetzten Personen sind zur Vertraulichkeit verpflichtet. Weitere Auftragsverarbeiter werden nur "
           "nach vorheriger Information des Verantwortlichen eingesetzt, der widersprechen kann. Der "
           "Auftragsverarbeiter unterstützt bei Betroffenenrechten, Meldungen von Datenschutzverletzungen und "
           "Datenschutz-Folgenabschätzungen.")),
        (_("§ 7 Löschung und Nachweise"),
         _("Nach Ende des Auftrags werden die Daten gelöscht, soweit keine Pflicht zur Aufbewahrung besteht. Der "
           "Auftragsverarbeiter stellt alle Informationen zum Nachweis der Pflichten bereit und ermöglicht "
           "Überprüfungen.")),
    ]
    texts = [offer.name, services, authority.name, operator_text, *(text for _title, text in sections)]
    pdf = _new_pdf(texts)
    _heading(pdf, _("Vereinbarung zur Auftragsverarbeitung (Art. 28 DSGVO)"), 16)
    _paragraph(pdf, _("zum Online-Dienst „%(offer)s“") % {"offer": offer.name})
    pdf.ln(2)
    for title, text in sections:
        _paragraph(pdf, title, bold=True)
        _paragraph(pdf, text)
    _signatures(pdf, _("Ort, Datum, Unterschrift – Verantwortlicher"),
                _("Ort, Datum, Unterschrift – Auftragsverarbeiter"))
    return bytes(pdf.output())

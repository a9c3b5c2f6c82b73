"""Demo legal pages of a fictitious Land operator, so the footer's links lead to real-looking texts.

A real installation replaces them in the Django admin (/django-admin/core/legalpage/); the demo only creates
a kind that has no row yet, so an operator's edits survive a restart of the demo.
"""

from __future__ import annotations

from amtsweg.core.models import LegalPage

OPERATOR = "IT-Dienstleistungszentrum des Landes (Demo-Betreiber)"
ADDRESS = "Musterstraße 1\n66111 Saarbrücken"
TEXTS = {
    LegalPage.Kind.IMPRINT: (
        "Diese Plattform ist eine Demonstration. Angaben nach § 5 Digitale-Dienste-Gesetz (DDG) und § 18 "
        "Medienstaatsvertrag (MStV).\n\n"
        "Verantwortlich für den Betrieb: die Leitung des IT-Dienstleistungszentrums, Anschrift wie unten.\n\n"
        "Für den Inhalt der einzelnen Leistungen und für die Bearbeitung der Anträge ist die jeweils "
        "zuständige Stelle verantwortlich; sie wird im Antrag und auf der Eingangsbestätigung genannt.",
        "betrieb@amtsweg.example", "0681 000000-0"),
    LegalPage.Kind.PRIVACY: (
        "Wir verarbeiten Ihre Angaben nur, um Ihren Antrag an die zuständige Stelle zu übermitteln "
        "(Art. 6 Abs. 1 Buchst. e DSGVO in Verbindung mit dem Onlinezugangsgesetz). Verantwortlich für die "
        "Bearbeitung Ihres Antrags ist die zuständige Stelle; für den Betrieb der Plattform der Betreiber.\n\n"
        "Ihre Angaben werden verschlüsselt an die zuständige Stelle übermittelt. Die Plattform kann sie nicht "
        "lesen. Entwürfe werden verschlüsselt gespeichert und nach Ablauf der Speicherfrist gelöscht.\n\n"
        "Sie haben das Recht auf Auskunft, Berichtigung, Löschung und Einschränkung der Verarbeitung sowie das "
        "Recht, sich bei der Datenschutzaufsichtsbehörde des Landes zu beschweren.\n\n"
        "Cookies: Die Plattform setzt nur technisch notwendige Cookies (Sitzung, Sprache, Schutz vor "
        "gefälschten Anfragen); es gibt keine Reichweitenmessung.",
        "datenschutz@amtsweg.example", ""),
    LegalPage.Kind.ACCESSIBILITY: (
        "Der Betreiber ist bemüht, diese Plattform im Einklang mit dem Behindertengleichstellungsgesetz und der "
        "Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) barrierefrei zugänglich zu machen.\n\n"
        "Stand der Vereinbarkeit: Die Seiten werden automatisch mit axe geprüft. Eine vollständige Prüfung "
        "nach BITV 2.0 steht für diese Demonstration aus.\n\n"
        "Durchsetzungsverfahren: Wenn Sie auf Ihre Rückmeldung keine zufriedenstellende Antwort erhalten, "
        "können Sie sich an die Schlichtungsstelle nach dem Behindertengleichstellungsgesetz wenden.",
        "barrierefreiheit@amtsweg.example", "0681 000000-10"),
}


def load_demo(stdout) -> None:
    for kind, (body, email, phone) in TEXTS.items():
        _, created = LegalPage.objects.get_or_create(kind=kind, defaults={
            "operator": OPERATOR, "body": body, "contact_address": ADDRESS, "contact_email": email,
            "contact_phone": phone})
        if created:
            stdout.write(f"Rechtstexte-Demo: {LegalPage.Kind(kind).label} (/{kind}/)")

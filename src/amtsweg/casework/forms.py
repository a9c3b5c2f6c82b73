"""Forms of the back office: inbox filters, actions on a case. German messages, bounded input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from amtsweg.casework import administration as admin
from amtsweg.casework import inbox
from amtsweg.casework.models import Case
from amtsweg.casework.services import MAX_NOTE_LENGTH

STATE_CHOICES = [("", _("alle")), ("offen", _("offen (eingegangen, in Bearbeitung, Rückfrage)")),
                 *Case.State.choices]
DEADLINE_CHOICES = [("", _("alle")), ("ueberfaellig", _("überfällig")),
                    ("bald", _("in den nächsten 7 Tagen fällig"))]
SORT_CHOICES = [("neueste", _("Eingang, neueste zuerst")), ("aelteste", _("Eingang, älteste zuerst")),
                ("frist", _("Frist, früheste zuerst"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def style_fields(form: forms.Form) -> None:
    """KERN classes, and hints and errors tied to their input (aria-describedby)."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        kind = "select" if isinstance(widget, forms.Select) else "textarea" if isinstance(widget, forms.Textarea) \
            else "input"
        widget.attrs["class"] = f"kern-form-input__{kind}"
        described = []
        if field.help_text:
            described.append(f"id_{name}_hint")
        if form.is_bound and name in form.errors:
            described.append(f"id_{name}_error")
            widget.attrs["aria-invalid"] = "true"
        if described:
            widget.attrs["aria-describedby"] = " ".join(described)


class InboxFilterForm(forms.Form):
    dienst = forms.ChoiceField(label=_("Leistung"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATE_CHOICES)
    zustaendig = forms.ChoiceField(label=_("Zuständig"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    eingang_von = forms.DateField(label=_("Eingang ab"), required=False, widget=DateInput(),
                                  input_formats=["%Y-%m-%d", "%d.%m.%Y"],
                                  error_messages={"invalid": _("Bitte ein Datum angeben, z. B. 01.12.2026.")})
    eingang_bis = forms.DateField(label=_("Eingang bis"), required=False, widget=DateInput(),
                                  input_formats=["%Y-%m-%d", "%d.%m.%Y"],
                                  error_messages={"invalid": _("Bitte ein Datum angeben, z. B. 31.12.2026.")})
    frist = forms.ChoiceField(label=_("Frist"), required=False, choices=DEADLINE_CHOICES)
    suche = forms.CharField(label=_("Suche nach Vorgangsnummer oder Name"), required=False, max_length=200,
                            help_text=_("Genaue Vorgangsnummer (z. B. AW-7KQ2-M9XD-4TPA) oder der vollständige "
                                        "Name der antragstellenden Person."))
    sortierung = forms.ChoiceField(label=_("Sortierung"), required=False, choices=SORT_CHOICES)
    nach = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, data, *, services: list[tuple[str, str]], assignees: list[tuple[int, str]],
                 teams: list[tuple[int, str]] = ()):
        super().__init__(data)
        # The teams whose cases the person sees (an administrator: all of the Authority's), as in the Fristen.
        self.fields["team"].choices = [("", _("alle")), *[(str(pk), name) for pk, name in teams],
                                       ("ohne", _("ohne Team"))]
        self.fields["dienst"].choices = [("", _("alle")), *services]
        self.fields["zustaendig"].choices = [("", _("alle")), ("mir", _("mir zugewiesen")),
                                             ("niemand", _("niemandem zugewiesen")),
                                             *[(str(pk), name) for pk, name in assignees]]
        for name in ("dienst", "status", "zustaendig", "team", "frist", "sortierung"):
            self.fields[name].error_messages["invalid_choice"] = _("Diese Auswahl gibt es nicht; bitte neu wählen.")
        style_fields(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("eingang_von"), data.get("eingang_bis")
        if start and end and start > end:
            self.add_error("eingang_bis", _("„Eingang bis“ liegt vor „Eingang ab“."))
        return data

    def filters(self) -> inbox.Filters:
        """The valid filters (an invalid one is left out and shown with its error)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return inbox.Filters(
            service=data.get("dienst") or "", state=data.get("status") or "",
            assignee=data.get("zustaendig") or "", team=data.get("team") or "", received_from=data.get("eingang_von"),
            received_to=data.get("eingang_bis"), deadline=data.get("frist") or "",
            search=(data.get("suche") or "").strip(), sort=data.get("sortierung") or "neueste",
            cursor=data.get("nach") or "",
        )


class NoteForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    text = forms.CharField(label=_("Interne Notiz"), max_length=MAX_NOTE_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Nur für die Sachbearbeitung sichtbar, nie für die antragstellende Person."),
                           error_messages={"required": _("Bitte schreiben Sie eine Notiz."),
                                           "max_length": _("Eine Notiz darf höchstens %(limit_value)d Zeichen lang "
                                                           "sein (jetzt %(show_value)d).")})


class DecisionForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    entscheidung = forms.ChoiceField(label=_("Entscheidung"), choices=Case.Decision.choices,
                                     error_messages={"required": _("Bitte wählen Sie die Entscheidung."),
                                                     "invalid_choice": _("Bitte wählen Sie die Entscheidung.")})


# --- administration: teams and per-service settings ------------------------------------------------------

DAYS_ERRORS = {"required": _("Bitte geben Sie die Anzahl der Tage an."),
               "invalid": _("Bitte geben Sie eine ganze Zahl von Tagen an, z. B. 30."),
               "min_value": _("Bitte mindestens %(limit_value)s Tage."),
               "max_value": _("Bitte höchstens %(limit_value)s Tage.")}
NAME_ERRORS = {"required": _("Bitte geben Sie dem Team einen Namen."),
               "max_length": _("Der Name eines Teams darf höchstens %(limit_value)d Zeichen lang sein "
                               "(jetzt %(show_value)d).")}


class DaysInput(forms.TextInput):
    """A text field for a number of days: a number input would send "" for "30 Tage", and the error would
    then wrongly say that nothing was entered; the server's German message says what is wrong instead."""

    def __init__(self):
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 6})


class TeamCreateForm(forms.Form):
    name = forms.CharField(label=_("Name des neuen Teams"), max_length=100, error_messages=NAME_ERRORS,
                           help_text=_("Zum Beispiel „Steuern“ oder „Ordnungsamt“."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, error_messages=NAME_ERRORS)
    mitglieder = forms.MultipleChoiceField(
        label=_("Mitglieder"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Vorgänge des Teams sehen nur seine Mitglieder und die Administration."),
        error_messages={"invalid_choice": _("Diese Person gibt es in Ihrer Behörde nicht; bitte neu wählen.")})
    leistungen = forms.MultipleChoiceField(
        label=_("Leistungen, die das Team bearbeitet"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Neue Anträge dieser Leistungen gehen an das Team. Eine Leistung gehört zu höchstens einem "
                    "Team; wählen Sie sie hier, wechselt sie von ihrem bisherigen Team hierher."),
        error_messages={"invalid_choice": _("Diese Leistung bearbeitet Ihre Behörde nicht; bitte neu wählen.")})

    def __init__(self, *args, members: list[tuple[str, str]], services: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mitglieder"].choices = members
        self.fields["leistungen"].choices = services
        style_fields(self)


class ServiceSettingsForm(forms.Form):
    bearbeitungsfrist = forms.IntegerField(
        label=_("Bearbeitungsfrist (Tage)"), error_messages=DAYS_ERRORS, widget=DaysInput(),
        min_value=admin.MIN_PROCESSING_DAYS, max_value=admin.MAX_PROCESSING_DAYS,
        help_text=_("In so vielen Tagen nach Eingang soll entschieden sein. Gilt für neue Anträge; eine "
                    "Rückfrage hält die Frist an."))
    aufbewahrungsfrist = forms.IntegerField(
        label=_("Aufbewahrungsfrist (Tage nach Abschluss)"), error_messages=DAYS_ERRORS, widget=DaysInput(),
        min_value=admin.MIN_RETENTION_DAYS, max_value=admin.MAX_RETENTION_DAYS,
        help_text=_("Danach löscht Amtsweg den Inhalt abgeschlossener Vorgänge dieser Leistung automatisch; "
                    "ein Löschnachweis ohne personenbezogene Daten bleibt. 3650 Tage sind zehn Jahre."))
    team = forms.ChoiceField(label=_("Team"), required=False,
                             error_messages={"invalid_choice": _("Dieses Team gibt es in Ihrer Behörde nicht; "
                                                                 "bitte neu wählen.")})

    def __init__(self, *args, teams: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", _("kein Team (alle in der Sachbearbeitung)")), *teams]
        style_fields(self)

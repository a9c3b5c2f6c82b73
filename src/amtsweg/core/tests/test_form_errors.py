"""The shared error summary of a form (core/_form_errors.html, used by the shop and maturity pages)."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string
from django.utils import translation


class _Form(forms.Form):
    name = forms.CharField(label="Name", max_length=20)

    def clean(self):
        raise forms.ValidationError("Das passt nicht zusammen.")


def test_each_field_error_links_to_its_field_and_the_form_errors_are_listed():
    form = _Form(data={"name": ""})
    with translation.override("de"):
        html = render_to_string("core/_form_errors.html", {"form": form})
    assert 'id="error-summary"' in html and "Bitte prüfen Sie Ihre Angaben" in html
    assert 'href="#id_name">Name: Dieses Feld ist zwingend erforderlich.</a>' in html
    assert "<li>Das passt nicht zusammen.</li>" in html


def test_nothing_is_shown_for_an_unbound_form():
    assert render_to_string("core/_form_errors.html", {"form": _Form()}).strip() == ""

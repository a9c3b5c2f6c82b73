"""Every text field on a form has a server-side maximum length.

Walk finding after issue 12: the Authority's "Öffnungszeiten" (a model TextField, so its form field had no
limit) accepted 240,000 characters. A browser `maxlength` is only a hint; `forms.CharField(max_length=...)`
also makes Django refuse longer input with its German error. This guard walks every form class of the project
so a new field without a limit fails here rather than in production.
"""

import importlib

import pytest
from django import forms

FORM_MODULES = ["amtsweg.accounts.forms", "amtsweg.routing.forms", "amtsweg.shop.forms",
                "amtsweg.submissions.forms"]

# (form class name, field name): why the field needs no max_length.
EXEMPT = {
    ("StaffLoginForm", "username"): "AuthenticationForm sets max_length from the user model in __init__",
    ("StaffLoginForm", "password"): "hashed, never stored or shown; the hash cost does not grow with its length",
}


def _project_forms() -> list[type[forms.BaseForm]]:
    found = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, forms.BaseForm)
                    and value.__module__ == module_name and hasattr(value, "base_fields")):
                found.append(value)
    return found


def test_the_guard_finds_the_project_forms():
    names = {form.__name__ for form in _project_forms()}
    assert {"AuthorityContactForm", "DestinationForm", "KeyRotationForm"} <= names


@pytest.mark.parametrize("form_class", _project_forms(), ids=lambda form: form.__name__)
def test_every_text_field_has_a_max_length(form_class):
    unbounded = [
        name for name, field in form_class.base_fields.items()
        if isinstance(field, forms.CharField) and field.max_length is None
        and (form_class.__name__, name) not in EXEMPT
    ]
    assert unbounded == [], f"{form_class.__name__}: give these fields a max_length: {unbounded}"

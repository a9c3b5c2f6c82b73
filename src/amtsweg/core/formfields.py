"""Form fields whose errors name one reason, in formal German.

Django's `URLField` runs every validator and reports each failure: an over-long address gets "too long" and
"not a URL" at once, in Django's own (informal) German. Staff need one sentence that says what to type.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator


class AddressField(forms.URLField):
    """A web address; the first failing check gives the field's one message (`error_messages["invalid"]`).

    Addresses the platform links to or calls are https-only (`schemes`, default https): an http:// website
    on an office's public contact page was accepted although the form asked for https:// (issue 16). A
    bare "www.gemeinde.de" becomes https://www.gemeinde.de.
    """

    def __init__(self, *, schemes: tuple[str, ...] = ("https",), **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, URLValidator)]
        self.validators.insert(0, URLValidator(schemes=list(schemes)))

    def run_validators(self, value) -> None:
        if value in self.empty_values:
            return
        for validator in self.validators:
            try:
                validator(value)
            except ValidationError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None

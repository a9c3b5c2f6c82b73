"""Form fields whose errors name one reason, in formal German.

Django's `URLField` runs every validator and reports each failure: an over-long address gets "too long" and
"not a URL" at once, in Django's own (informal) German. Staff need one sentence that says what to type.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


class AddressField(forms.URLField):
    """A web address; the first failing check gives the field's one message (`error_messages["invalid"]`)."""

    def run_validators(self, value) -> None:
        if value in self.empty_values:
            return
        for validator in self.validators:
            try:
                validator(value)
            except ValidationError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None

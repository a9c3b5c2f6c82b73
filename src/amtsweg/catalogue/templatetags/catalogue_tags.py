from django import template

from amtsweg.catalogue.display import leika_anchor as _leika_anchor

register = template.Library()


@register.filter
def leika_anchor(public_service) -> str:
    return _leika_anchor(public_service)

from django import template

from amtsweg.shop.reports import euros as _euros

register = template.Library()


@register.filter
def euros(cents) -> str:
    """12345 → "123,45" (German notation)."""
    if cents is None or cents == "":
        return "–"
    return _euros(int(cents))

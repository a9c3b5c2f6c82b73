"""`{% datatable %}`: the frame of a KERN list table, written once.

Every staff list page (destinations, receiving systems, teams, services, …) showed its rows in the same
frame — a responsive wrapper, a table with a caption for screen readers, one header row of column
headings and a body — and each page had its own copy, so a fix to one (a wrong `thead` class, a missing
`scope`) reached only that page. The pages now write only their rows:

    {% load tables %}
    {% datatable _("Teams") _("Team") _("Mitglieder") %}
      {% for row in rows %}<tr class="kern-table__row">…</tr>{% endfor %}
    {% enddatatable %}

The first argument is the caption, the others the column headings (all escaped as usual); the frame itself
is the template `core/_datatable.html`.
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

register = template.Library()


class DataTableNode(template.Node):
    def __init__(self, caption: template.base.FilterExpression, columns: list[template.base.FilterExpression],
                 nodelist: template.NodeList) -> None:
        self.caption = caption
        self.columns = columns
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        rows = self.nodelist.render(context)  # rendered (and escaped) in the page's own context
        return render_to_string("core/_datatable.html", {
            "caption": self.caption.resolve(context),
            "columns": [column.resolve(context) for column in self.columns],
            "rows": mark_safe(rows),  # noqa: S308 - the output of the page's own template, escaped there
        })


@register.tag
def datatable(parser: template.base.Parser, token: template.base.Token) -> DataTableNode:
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError("{% datatable caption column … %} needs a caption and one column")
    nodelist = parser.parse(("enddatatable",))
    parser.delete_first_token()
    return DataTableNode(parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]],
                         nodelist)

"""`{% datatable %}`: one frame for every staff list table (found twice and more by `duplicates`, issue 13)."""

from __future__ import annotations

import pytest
from django.template import Template, TemplateSyntaxError
from django.template.context import Context
from django.utils import translation


def test_the_frame_has_a_caption_headings_with_scope_and_the_pages_rows_escaped():
    template = Template('{% load tables %}{% datatable _("Teams") _("Team") who %}'
                        '{% for r in rows %}<tr class="kern-table__row"><td>{{ r }}</td></tr>{% endfor %}'
                        '{% enddatatable %}')
    with translation.override("en"):
        html = template.render(Context({"rows": ["<b>x</b>"], "who": "Wer <i>"}))
    assert '<caption class="kern-sr-only">Teams</caption>' in html
    assert '<thead class="kern-table__head">' in html
    assert html.count('scope="col"') == 2 and "Wer &lt;i&gt;" in html
    assert ('<tbody class="kern-table__body"><tr class="kern-table__row"><td>&lt;b&gt;x&lt;/b&gt;</td></tr>'
            '</tbody>') in html


def test_a_table_without_columns_is_a_template_error():
    with pytest.raises(TemplateSyntaxError):
        Template('{% load tables %}{% datatable _("Teams") %}{% enddatatable %}')

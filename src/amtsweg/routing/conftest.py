"""Routing tests read the index-version counter on every lookup, so each test sees its own data at once
(the index itself starts afresh in every test: testkit's ``_fresh_routing_index``)."""

import pytest


@pytest.fixture(autouse=True)
def _routing_index_read_on_every_lookup(settings):
    settings.ROUTING_INDEX_CHECK_SECONDS = 0

"""Routing tests read the index-version counter on every lookup, so each test sees its own data at once."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_routing_index(settings):
    from amtsweg.routing.resolution import invalidate

    settings.ROUTING_INDEX_CHECK_SECONDS = 0
    invalidate(bump=False)
    yield
    invalidate(bump=False)

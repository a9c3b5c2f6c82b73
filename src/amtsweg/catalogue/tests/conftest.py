import pytest

from amtsweg.catalogue.tests.public_pages import build_catalogue, build_places


@pytest.fixture
def catalogue():
    """Services of the public pages (see public_pages.build_catalogue)."""
    return build_catalogue()


@pytest.fixture
def places():
    """Gemeinden and postcodes of the public pages (see public_pages.build_places)."""
    return build_places()

import pytest

from amtsweg.geo.tests.factories import PostcodeAreaFactory

from . import intake
from .factories import FormVersionFactory


@pytest.fixture(autouse=True)
def test_office(settings):
    """The assistant's own tests run without routing data: every place has the test office, online. Tests
    of the real routing set AMTSWEG_RESPONSIBLE_OFFICE back (see test_place_office.py)."""
    settings.AMTSWEG_RESPONSIBLE_OFFICE = "amtsweg.assistants.tests.intake.office"


@pytest.fixture
def test_intake(settings):
    intake.RECEIVED.clear()
    settings.AMTSWEG_SUBMISSION_INTAKE = "amtsweg.assistants.tests.intake.accept"
    return intake.RECEIVED


@pytest.fixture
def published(db):
    return FormVersionFactory(published=True, form__slug="testantrag")


@pytest.fixture
def postcode(db):
    """66111 belongs to exactly one Gemeinde."""
    return PostcodeAreaFactory(postcode="66111", municipality__name="Saarbrücken")

import pytest

from amtsweg.assistants.tests.factories import FormVersionFactory
from amtsweg.geo.tests.factories import PostcodeAreaFactory
from amtsweg.routing.tests.factories import ResponsibilityFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AMTSWEG_SUBMISSION_INTAKE = "amtsweg.submissions.intake.accept_form_submission"


@pytest.fixture
def responsibility(db):
    """The test form (slug testantrag) routes from postcode 66111 to this responsibility's authority."""
    FormVersionFactory(published=True, form__slug="testantrag", form__leika_key="99102013000000")
    responsibility = ResponsibilityFactory(leika_key="99102013000000")
    authority = responsibility.destination.authority
    authority.name = "Bürgerbüro Völklingen"
    authority.save()
    PostcodeAreaFactory(postcode="66111", municipality=responsibility.authority.municipality)
    return responsibility

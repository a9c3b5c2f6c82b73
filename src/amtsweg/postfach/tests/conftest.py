import pytest

from amtsweg.assistants.tests.factories import FormVersionFactory
from amtsweg.casework import receiving, vault
from amtsweg.casework.tests.factories import use_cached_keys
from amtsweg.geo.tests.factories import PostcodeAreaFactory
from amtsweg.routing.tests.factories import ResponsibilityFactory


@pytest.fixture(autouse=True)
def _real_intake_and_cached_keys(settings, monkeypatch):
    settings.AMTSWEG_SUBMISSION_INTAKE = "amtsweg.submissions.intake.accept_form_submission"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    use_cached_keys(monkeypatch)
    yield
    receiving.forget_cached_keys()
    vault.forget_cached_keys()


@pytest.fixture
def routed_responsibility(db):
    """The test form (slug testantrag) routes from postcode 66111 to this responsibility's authority."""
    FormVersionFactory(published=True, form__slug="testantrag", form__leika_key="99102013000000")
    responsibility = ResponsibilityFactory(leika_key="99102013000000")
    authority = responsibility.destination.authority
    authority.name = "Bürgerbüro Völklingen"
    authority.save()
    PostcodeAreaFactory(postcode="66111", municipality=responsibility.authority.municipality)
    return responsibility

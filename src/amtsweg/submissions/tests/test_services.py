"""The submission services name their acting party: an API client or SYSTEM, never "nobody" (issue 13, item 10).

The API views already look a submission up by its sender; these tests pin that the service layer below them
holds the same line, so a new caller (a command, another app) cannot continue someone else's submission.
"""

from __future__ import annotations

import uuid

import pytest

from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.core.actors import SYSTEM
from amtsweg.submissions import crypto, services
from amtsweg.submissions.errors import NotFound
from amtsweg.submissions.models import Submission
from amtsweg.submissions.tests.factories import ApiClientFactory

pytestmark = pytest.mark.django_db
LEIKA = "urn:de:fim:leika:leistung:99102013000000"


def _jwe(destination, text: bytes = b"{}") -> str:
    key = destination.active_encryption_key()
    return crypto.encrypt_for(dict(key.jwk, kid=key.kid), text, content_type="application/json")


def _announce(destination, sender, attachments=()):
    return services.announce(destination, service_identifier=LEIKA, announced_attachments=attachments,
                             sender=sender)


def test_every_writing_service_requires_the_acting_party(destination):
    for call in (
        lambda: services.announce(destination, service_identifier=LEIKA),
        lambda: services.submit(Submission(), encrypted_metadata="x"),
        lambda: services.store_attachment(Submission(), uuid.uuid4(), "x"),
        lambda: services.create_submitted(destination, service_identifier=LEIKA, service_name="", attachments=[],
                                          encrypted_metadata="x", encrypted_data="y"),
    ):
        with pytest.raises(TypeError):
            call()


@pytest.mark.parametrize("who", [None, "staff", "unsaved client"])
def test_a_sender_that_is_neither_an_api_client_nor_system_is_refused(destination, who):
    sender = {"staff": lambda: UserFactory(), "unsaved client": lambda: ApiClientFactory.build()}.get(
        who, lambda: None)()
    with pytest.raises(TypeError):
        _announce(destination, sender)
    assert not Submission.objects.exists()


def test_the_platform_announces_as_system_and_stores_no_client(destination):
    submission = _announce(destination, SYSTEM)
    assert submission.sender is None
    submitted = services.submit(submission, sender=SYSTEM, encrypted_metadata=_jwe(destination))
    assert submitted.status == Submission.Status.SUBMITTED


def test_only_the_announcing_client_may_upload_and_submit(destination):
    owner, other = ApiClientFactory(sender_region="10"), ApiClientFactory(sender_region="10")
    attachment_id = uuid.uuid4()
    submission = _announce(destination, owner, [attachment_id])
    assert submission.sender == owner
    for intruder in (other, SYSTEM):
        with pytest.raises(NotFound):
            services.store_attachment(submission, attachment_id, _jwe(destination), sender=intruder)
        with pytest.raises(NotFound):
            services.submit(submission, sender=intruder, encrypted_metadata=_jwe(destination))
    assert not submission.attachments.exists()
    services.store_attachment(submission, attachment_id, _jwe(destination, b"%PDF"), sender=owner)
    done = services.submit(submission, sender=owner, encrypted_metadata=_jwe(destination))
    assert done.status == Submission.Status.SUBMITTED


def test_a_client_cannot_continue_the_platforms_own_submission(destination):
    submission = _announce(destination, SYSTEM)
    with pytest.raises(NotFound):
        services.submit(submission, sender=ApiClientFactory(sender_region="10"), encrypted_metadata=_jwe(destination))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.INCOMPLETE

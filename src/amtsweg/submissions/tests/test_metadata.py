"""FIT-Connect metadata: what the intake builds is valid, and both validators (the fast one on the hot path,
the Python one that words the errors) judge documents alike."""

from __future__ import annotations

import copy

import pytest

from amtsweg.submissions import metadata

ATTACHMENT = {"attachmentId": "7d2b3c4e-1f2a-4b5c-8d9e-0f1a2b3c4d5e", "purpose": "attachment",
              "hash": {"type": "sha512", "content": "cd" * 64}, "mimeType": "application/pdf", "filename": "a.pdf"}


def _document(**overrides) -> dict:
    values = dict(leika_key="99102013000000", service_name="Hundesteuer", form_slug="hundesteuer", form_version=1,
                  data_hash="ab" * 64, attachments=[ATTACHMENT], destination_id="7d2b3c4e-1f2a-4b5c-8d9e-0f1a2b3c4d5f",
                  public_reference="AW-1234-5678-9ABC", auth_level="substantiell", applicant_email="a@example.org",
                  payment={"reference": "R1", "status": "paid", "method": "giropay", "amount_cents": 1000})
    values.update(overrides)
    return metadata.build_metadata(**values)


def _broken(change) -> dict:
    document = copy.deepcopy(_document())
    change(document)
    return document


BROKEN = {
    "e-mail": lambda d: d["replyChannel"]["eMail"].update(address="keine-adresse"),
    "hash": lambda d: d["contentStructure"]["data"]["hash"].update(content="zz"),
    "attachment id": lambda d: d["contentStructure"]["attachments"][0].update(attachmentId="x"),
    "no content structure": lambda d: d.pop("contentStructure"),
    "payment status": lambda d: d["paymentInformation"].update(status="PAID?"),
}


def test_the_built_document_is_valid_for_both_validators():
    document = _document()
    assert metadata._fast_validator().is_valid(document) and metadata.validator().is_valid(document)


@pytest.mark.parametrize("name", BROKEN)
def test_both_validators_refuse_the_same_defects(name):
    document = _broken(BROKEN[name])
    assert not metadata._fast_validator().is_valid(document)
    assert not metadata.validator().is_valid(document)
    with pytest.raises(metadata.InvalidMetadata):
        metadata.validate(document)


def test_the_error_names_where_the_defect_is():
    with pytest.raises(metadata.InvalidMetadata, match=r"replyChannel/eMail/address"):
        metadata.validate(_broken(BROKEN["e-mail"]))

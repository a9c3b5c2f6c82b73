"""FIT-Connect metadata (schema 1.0.0) for an application from the platform's own forms.

Where the pieces go (all inside the encrypted metadata, never stored in clear text):
* service: `publicServiceType.identifier` = `urn:de:fim:leika:leistung:<key>`
* form and version: `contentStructure.data.submissionSchema.schemaUri` = `urn:amtsweg:form:<slug>:v<version>`
* data hash: `contentStructure.data.hash` (SHA-512 of the JSON bytes), one hash per attachment
* level of assurance: `authenticationInformation[0]` (an `identificationReport` whose base64url content is
  `{"levelOfAssurance": …, "provider": …}`)
* payment: `paymentInformation` (reference, id, method, status, amount)
* reply channel: `replyChannel.eMail` when the applicant gave an address
* destination, form and public reference also in the namespaced extension `amtswegExtension`
  (the 1.0.0 schema allows additional members), so a Fachverfahren can cross-check the routing.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).parent / "schemas" / "metadata.schema.v1.0.0.json"
SCHEMA_ID = "https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json"

PAYMENT_METHODS = {"giropay": "GIROPAY", "paydirect": "PAYDIRECT", "creditcard": "CREDITCARD",
                   "paypal": "PAYPAL", "invoice": "INVOICE"}
PAYMENT_STATUS = {"initial": "INITIAL", "pending": "INITIAL", "booked": "BOOKED", "paid": "BOOKED",
                  "failed": "FAILED", "canceled": "CANCELED", "cancelled": "CANCELED"}


class InvalidMetadata(ValueError):
    pass


@functools.cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


@functools.cache
def _fast_validator():
    """jsonschema-rs (Rust): the same verdict, formats included, some 50 times faster than `jsonschema`;
    it runs on every intake. The Python validator only words the errors when there are some."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(_schema(), validate_formats=True)


def validate(metadata: dict[str, Any]) -> None:
    if _fast_validator().is_valid(metadata):
        return
    errors = sorted(validator().iter_errors(metadata), key=lambda e: list(e.path))
    if not errors:  # the two validators disagree: trust neither
        errors_rs = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
                     for e in _fast_validator().iter_errors(metadata)]
        raise InvalidMetadata("; ".join(errors_rs[:5]))
    raise InvalidMetadata("; ".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5]))


def hash_entry(digest_hex: str) -> dict[str, str]:
    return {"type": "sha512", "content": digest_hex}


def payment_information(payment: dict[str, Any]) -> dict[str, Any]:
    reference = str(payment.get("reference") or "")
    transaction_id = re.sub(r"[^\w-]", "-", str(payment.get("transaction_id") or reference), flags=re.ASCII)[:36]
    info: dict[str, Any] = {
        "transactionReference": reference,
        "transactionId": transaction_id or "unknown",
        "paymentMethod": PAYMENT_METHODS.get(str(payment.get("method") or payment.get("provider") or "").lower(),
                                             "OTHER"),
        "status": PAYMENT_STATUS.get(str(payment.get("status") or "").lower(), "INITIAL"),
    }
    if payment.get("amount_cents"):
        info["grossAmount"] = round(int(payment["amount_cents"]) / 100, 2)
    return info


def build_metadata(
    *,
    leika_key: str,
    service_name: str,
    form_slug: str,
    form_version: int,
    data_hash: str,
    attachments: list[dict[str, Any]],
    destination_id: str,
    public_reference: str,
    auth_level: str | None = None,
    auth_provider: str | None = None,
    payment: dict[str, Any] | None = None,
    applicant_email: str | None = None,
    application_date: date | None = None,
) -> dict[str, Any]:
    """The metadata document; `attachments` entries already carry attachmentId, hash, purpose, mimeType."""
    metadata: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "publicServiceType": {"identifier": f"urn:de:fim:leika:leistung:{leika_key}", "name": service_name},
        "contentStructure": {
            "data": {
                "hash": hash_entry(data_hash),
                "submissionSchema": {
                    "schemaUri": f"urn:amtsweg:form:{form_slug.lower()}:v{form_version}",
                    "mimeType": "application/json",
                },
            },
            "attachments": attachments,
        },
        "additionalReferenceInfo": {
            "senderReference": public_reference,
            "applicationDate": (application_date or date.today()).isoformat(),
        },
        "amtswegExtension": {
            "destinationId": destination_id,
            "form": {"slug": form_slug, "version": form_version},
            "authenticationLevel": auth_level,
        },
    }
    if auth_level:
        report = json.dumps({"levelOfAssurance": auth_level, "provider": auth_provider or ""}).encode()
        metadata["authenticationInformation"] = [
            {
                "type": "identificationReport",
                "version": "1.0.0",
                "content": base64.urlsafe_b64encode(report).rstrip(b"=").decode("ascii"),
            }
        ]
    if payment:
        metadata["paymentInformation"] = payment_information(payment)
    if applicant_email:
        metadata["replyChannel"] = {"eMail": {"address": applicant_email}}
    validate(metadata)
    return metadata

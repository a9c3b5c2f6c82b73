"""Checks of decrypted content, each failure named with the FIT-Connect problem a reject event carries.

* metadata: JSON (`syntax-violation`), a schema version this client knows (`unsupported-metadata-schema`),
  valid against FITKO's metadata schema 1.0.0 shipped in `schemas/` (`invalid-metadata`), which for example
  requires `contentStructure.data.hash` and the data's `submissionSchema`;
* data: parsed as the metadata declares it (`submissionSchema.mimeType` `application/json` or
  `application/xml`, `syntax-violation` otherwise); XML safely (no DTD, hence no entities: defusedxml), and
  checked against the service's schema where this client was given one for the `schemaUri` (a JSON Schema or
  an XSD file, `--data-schema URI=FILE`; `invalid-data`).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema_rs
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from lxml import etree

from amtsweg_subscriber.crypto import Invalid

SCHEMA_DIR = Path(__file__).parent / "schemas"
METADATA_SCHEMAS = {
    "https://schema.fitko.de/fit-connect/metadata/1.0.0/metadata.schema.json": "metadata.schema.v1.0.0.json",
}
DEFAULT_METADATA_SCHEMA = next(iter(METADATA_SCHEMAS))
MIME_FILES = {"application/json": "application.json", "application/xml": "application.xml"}


@functools.cache
def _metadata_validator(uri: str):
    schema = json.loads((SCHEMA_DIR / METADATA_SCHEMAS[uri]).read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def metadata(raw: bytes) -> dict[str, Any]:
    """The decrypted metadata, checked (see module docstring)."""
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise Invalid("syntax-violation", "the metadata is not JSON", "metadata") from exc
    if not isinstance(document, dict):
        raise Invalid("syntax-violation", "the metadata is not a JSON object", "metadata")
    uri = document.get("$schema", DEFAULT_METADATA_SCHEMA)
    if uri not in METADATA_SCHEMAS:
        raise Invalid("unsupported-metadata-schema", f"metadata schema {str(uri)[:200]!r} is not supported",
                      "metadata")
    errors = [f"/{'/'.join(map(str, e.instance_path))}: {e.message}"
              for e in _metadata_validator(uri).iter_errors(document)]
    if errors:
        raise Invalid("invalid-metadata", "the metadata violate the metadata schema: " + "; ".join(errors[:5]),
                      "metadata")
    return document


def data(raw: bytes, declared: dict[str, Any], data_schemas: dict[str, Path]) -> str:
    """Check the decrypted data against the metadata's `contentStructure.data`; returns the file name to
    write it to (`application.json` or `application.xml`)."""
    schema = declared["submissionSchema"]
    mime_type, uri = schema["mimeType"], schema["schemaUri"]
    if mime_type == "application/json":
        try:
            document: Any = json.loads(raw)
        except ValueError as exc:
            raise Invalid("syntax-violation", "the data are declared as JSON but are not JSON", "data") from exc
    else:
        try:
            safe_fromstring(raw, forbid_dtd=True)
        except (DefusedXmlException, SyntaxError, ValueError) as exc:
            raise Invalid("syntax-violation", f"the data are declared as XML but are not well-formed XML "
                          f"without a DTD: {type(exc).__name__}", "data") from exc
        document = raw
    schema_file = data_schemas.get(uri)
    if schema_file is not None:
        errors = _data_errors(document, mime_type, Path(schema_file))
        if errors:
            raise Invalid("invalid-data", f"the data violate the schema {uri}: " + "; ".join(errors[:5]), "data")
    return MIME_FILES[mime_type]


def _data_errors(document: Any, mime_type: str, schema_file: Path) -> list[str]:
    if mime_type == "application/json":
        validator = _json_validator(str(schema_file))
        return [f"/{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(document)]
    xsd = _xml_schema(str(schema_file))
    # The document was refused above if it had a DTD; lxml parses it without entities or network access.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    tree = etree.fromstring(document, parser)
    if xsd.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in xsd.error_log]


@functools.cache
def _json_validator(path: str):
    return jsonschema_rs.validator_for(json.loads(Path(path).read_text(encoding="utf-8")), validate_formats=True)


@functools.cache
def _xml_schema(path: str) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(path, parser))

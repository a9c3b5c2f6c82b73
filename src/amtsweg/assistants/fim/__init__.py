"""FIM import: XDatenfelder 1.0, 2.0 and 3.0 documents → form definitions."""

from .convert import to_definition
from .parser import FimDocument, FimError, parse_fim

__all__ = ["FimDocument", "FimError", "parse_fim", "to_definition"]

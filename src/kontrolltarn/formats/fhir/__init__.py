"""HL7 FHIR R4 import and export.

``read_fhir(data, issues, hospital)`` turns a Bundle (or one resource) into model parts;
``hospital_to_bundle`` and ``program_to_bundle`` write the model back. Structure is validated
with ``fhir.resources.R4B`` (see ``bundle.py`` for why R4B stands in for R4). The all-or-nothing
entry point for users is ``kontrolltarn.formats.importer.import_file``.
"""

from __future__ import annotations

from typing import Any

from kontrolltarn.formats.fhir.reader import FhirReader
from kontrolltarn.formats.fhir.writer import hospital_to_bundle, program_to_bundle
from kontrolltarn.formats.issues import Issues, Parts
from kontrolltarn.model import Hospital


def read_fhir(data: Any, issues: Issues, hospital: Hospital | None = None) -> Parts:
    """Model parts from parsed FHIR JSON; every problem goes to ``issues``."""
    return FhirReader(data, issues, hospital).read()


__all__ = ["hospital_to_bundle", "program_to_bundle", "read_fhir"]

"""HL7 FHIR R4 import and export.

``read_fhir(data, issues, hospital)`` turns a Bundle (or one resource) into model parts;
``hospital_to_bundle`` and ``program_to_bundle`` write the model back. Structure is validated
with ``fhir.resources.R4B`` (see ``bundle.py`` for why R4B stands in for R4). The all-or-nothing
entry point for users is ``kontrolltarn.formats.importer.import_file``.
"""

from __future__ import annotations

from kontrolltarn.formats.fhir.reader import read_fhir
from kontrolltarn.formats.fhir.writer import hospital_to_bundle, program_to_bundle

__all__ = ["hospital_to_bundle", "program_to_bundle", "read_fhir"]

"""Where the IHTC-2024 benchmark data live, and the marker for tests that need them (helper).

Without the data a test skips locally, saying where it looked; under CI=true it runs and fails,
since CI always has ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "ihtc2024"
needs_data = pytest.mark.skipif(not DATA.is_dir() and os.environ.get("CI") != "true",
                                reason=f"IHTC data not found at {DATA}")

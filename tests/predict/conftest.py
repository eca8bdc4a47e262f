"""Shared fixtures: the small synthetic hospital (generated once per test session)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def small_synth() -> Any:
    from kontrolltarn.synth import generate

    return generate(scale="small", seed=0)

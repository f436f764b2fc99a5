"""Helpers for the advisory parser tests: our small fixtures and the real snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "advisories"


@pytest.fixture(scope="session")
def fixture_bytes() -> dict[str, bytes]:
    """Our own small fixtures (formats with no real public snapshot), by file name."""
    return {path.name: path.read_bytes() for path in FIXTURES.glob("*.json")}

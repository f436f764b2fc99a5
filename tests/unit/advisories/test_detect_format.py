"""Format detection: what `ingest --file` uses when no --format is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.ingest.advisories import PARSERS, detect_format


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("us-state-dept-rss-2021/TAsTWs_snapshot_2021-02.xml", "us-state"),
        ("advisory-fixtures-2026-10/uk/haiti.json", "uk-fcdo"),
        ("govuk-travel-advice-content-examples/travel_advice_index__index.json", "uk-fcdo"),
        ("advisory-fixtures-2026-10/ca/cta-cap-mx.json", "ca"),
        (
            "smartraveller-kevle1/advisories_snapshots/2024-10-05T050605Z_686897a085_advisories.json",
            "generic",
        ),
        ("advisories-history-marcolussetti/summary_changes/canada_summary_changes.csv", "generic"),
        ("advisories-history-marcolussetti/info_history/ireland_info_history.jsonl", "generic"),
    ],
)
def test_real_files_are_recognised_by_content(shared_data: Path, path: str, fmt: str) -> None:
    data = (shared_data / path).read_bytes()
    assert detect_format(data, None) == fmt
    assert fmt in PARSERS


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("de_travelwarning.json", "de"),
        ("tai_data.json", "tai"),
        ("au_destinations_export.json", "au"),
        ("ca_index.json", "ca"),
    ],
)
def test_our_fixtures_are_recognised_by_content(
    fixture_bytes: dict[str, bytes], name: str, fmt: str
) -> None:
    assert detect_format(fixture_bytes[name], "renamed.json") == fmt


def test_unknown_content_gives_none_and_a_file_name_is_only_a_fallback() -> None:
    assert detect_format(b"<html><body>hello</body></html>", "page.html") is None
    assert detect_format(b"just some words", None) is None
    assert detect_format(b"just some words", "cta-cap-fr.json") == "ca"
    assert detect_format(b'{"hello": "world"}', None) == "generic"

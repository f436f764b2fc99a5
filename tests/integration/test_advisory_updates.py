"""Official update reasons are evidence: the UK's Oct 2025 Mali updates raise fuel and diplomacy."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient, FlaskCliRunner

from service.ingest.news import PARSERS, detect_format


def test_update_reason_files_are_detected_and_read(shared_data: Path) -> None:
    folder = shared_data / "advisories-history-marcolussetti" / "info_history"
    # The UK and Canada record why they changed their advice; the others record levels.
    for path in sorted(folder.glob("*_info_history.jsonl")):
        if not path.name.startswith(("unitedkingdom", "canada")):
            assert detect_format(path.read_bytes(), path.name) is None, path.name
            continue
        data = path.read_bytes()
        assert detect_format(data, path.name) == "advisory-updates", path.name
        result = PARSERS["advisory-updates"](data)
        assert result.errors == [], path.name
        assert result.items, path.name
        assert all(a.title.endswith(": travel advice update") for a in result.items)


def test_uk_updates_on_mali_raise_fuel_and_diplomatic_presence(
    runner: FlaskCliRunner, client: FlaskClient, shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / "advisories-history-marcolussetti/info_history"
    mali = [
        line
        for line in (source / "unitedkingdom_info_history.jsonl").read_text().splitlines()
        if '"country_dir": "Mali"' in line and '"update_date": "2025-1' in line
    ]
    path = tmp_path / "uk_mali_updates.jsonl"
    path.write_text("\n".join(mali) + "\n")
    result = runner.invoke(args=["ingest", "--file", str(path), "--no-rescore"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["score", "--as-of", "2025-11-05"]).exit_code == 0
    signals = client.get("/v1/signals?country=ML&since=2025-10-01T00:00:00Z").get_json()["items"]
    reasons = {s["text"][:40]: s for s in signals}
    fuel = next(s for t, s in reasons.items() if "fuel shortages" in t)
    staff = next(s for s in signals if "Embassy staff" in s["text"])
    [fuel_mali] = [c for c in fuel["countries"] if c["iso2"] == "ML"]
    [staff_mali] = [c for c in staff["countries"] if c["iso2"] == "ML"]
    assert fuel_mali["role"] == "subject"
    assert fuel_mali["factors"]["fuel_supply"]["direction"] == "escalating"
    assert staff_mali["factors"]["diplomatic_presence"]["direction"] == "escalating"
    assert all(s["source"] == "uk-fcdo-advice" for s in signals)

"""Replaying 58 dated Smartraveller snapshots through the generic import keeps exactly the
level changes they contain, and the empty snapshot of 2024-11-11 withdraws nothing."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.storage.tables import Advisory

MAPPING = (
    "country=country.alpha_2,native=advisory,level=level,url=page_url,published_at=$.last_updated"
)


def test_smartraveller_replay_keeps_each_level_change_once(
    runner: FlaskCliRunner, client: FlaskClient, session: Session, shared_data: Path
) -> None:
    folder = shared_data / "smartraveller-kevle1" / "advisories_snapshots"
    args = ["ingest", "--file", str(folder), "--format", "generic", "--map", MAPPING,
            "--records", "advisories", "--advisory-source", "au", "--no-rescore"]  # fmt: skip
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "FAILED" not in result.output and "errors 0" in result.output

    history = client.get("/v1/countries/NG/advisories?source=au").get_json()["items"]
    changes = [(a["published_at"][:10], a["level"]) for a in reversed(history)]
    assert changes[:3] == [("2024-10-05", 4), ("2024-11-05", 3), ("2024-12-03", 4)]
    assert all(a["native"] for a in history)

    stored = session.scalar(select(func.count(Advisory.id)))
    again = runner.invoke(args=args)
    assert again.exit_code == 0
    assert session.scalar(select(func.count(Advisory.id))) == stored  # idempotent
    detail = client.get("/v1/countries/NG").get_json()
    assert [(a["source"], a["level"]) for a in detail["advisories"]] == [("au", changes[-1][1])]

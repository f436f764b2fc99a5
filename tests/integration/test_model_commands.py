"""`train` writes a reproducible, versioned artifact that the service then loads; `evaluate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.registry import ArtifactError
from service import create_app
from service.settings import Settings, load_settings
from service.storage.db import db
from service.storage.tables import Base

CORPUS = Path(__file__).resolve().parents[2] / "models" / "data"


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every eighth example of each corpus file: the real shape, a fraction of the time."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in sorted(CORPUS.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        (folder / path.name).write_text("\n".join(lines[::8]) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def model_settings(tmp_path: Path) -> Settings:
    return load_settings(
        {"database_url": f"sqlite:///{tmp_path / 'db.sqlite'}", "model_dir": tmp_path / "models"},
        environ={},
        config_file=tmp_path / "absent.yaml",
    )


def test_train_writes_an_active_versioned_artifact_the_service_loads(
    model_settings: Settings, small_corpus: Path
) -> None:
    runner = create_app(model_settings).test_cli_runner()
    result = runner.invoke(args=["train", "--data", str(small_corpus)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[: result.output.rindex("}") + 1])
    version = summary["version"]
    folder = model_settings.model_dir
    assert (folder / "ACTIVE").read_text().strip() == version
    metadata = json.loads((folder / version / "metadata.json").read_text())
    assert metadata["training_data_sha256"] == summary["data_sha256"]
    assert {"sklearn", "numpy", "skops"} <= set(metadata["libraries"])
    assert metadata["metrics"]

    client = create_app(model_settings).test_client()
    assert client.get("/readyz").get_json()["model_version"] == version
    analysis = client.post(
        "/v1/analyze",
        json={"title": "France withdraws diplomatic staff from Mali", "text": ""},
    ).get_json()
    assert analysis["model_version"] == version

    # Ingest reads whole batches through the learned models.
    articles = model_settings.model_dir.parent / "articles.jsonl"
    articles.write_text(
        '{"title": "Fuel queues grow in Harare as shortages bite"}\n'
        '{"title": "Gunmen attack convoy near Gao in Mali"}\n'
    )
    app = create_app(model_settings)
    with app.app_context():
        Base.metadata.create_all(db.engine)
    ingest = app.test_cli_runner().invoke(args=["ingest", "--file", str(articles)])
    assert ingest.exit_code == 0, ingest.output
    signals = app.test_client().get("/v1/signals").get_json()["items"]
    assert len(signals) == 2
    assert {s["model_version"] for s in signals} == {version}


def test_evaluate_prints_learned_and_baseline_metrics_side_by_side(
    model_settings: Settings, small_corpus: Path
) -> None:
    runner = create_app(model_settings).test_cli_runner()
    result = runner.invoke(args=["evaluate", "--data", str(small_corpus), "--no-real-data"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output[result.output.index("{") :])
    assert set(metrics) == {"learned", "baseline"}
    assert metrics["learned"]["cross_validated"]
    assert metrics["baseline"]["cross_validated"]


def test_train_replaces_a_broken_active_artifact_that_stops_the_server(
    model_settings: Settings, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = model_settings.model_dir
    (folder / "20200101T000000-deadbeef").mkdir(parents=True)
    (folder / "ACTIVE").write_text("20200101T000000-deadbeef\n")
    with pytest.raises(ArtifactError, match="unreadable metadata"):
        create_app(model_settings)  # the WSGI app stops at start

    served: list[object] = []
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda *a, **k: served.append(a))
    app = create_app(model_settings, lazy_runtime=True)  # as the command line builds it
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503
    assert "the active model cannot be loaded" in ready.get_json()["detail"]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["serve", "--port", "0", "--no-scheduler"])
    assert result.exit_code == 1
    assert "unreadable metadata" in result.output
    assert "run `python -m service train`" in result.output
    assert not served

    result = runner.invoke(args=["train", "--data", str(small_corpus)])
    assert result.exit_code == 0, result.output
    version = (folder / "ACTIVE").read_text().strip()
    assert version != "20200101T000000-deadbeef"
    ready = create_app(model_settings).test_client().get("/readyz")
    assert ready.get_json()["model_version"] == version


def test_evaluate_skips_the_reason_check_for_a_corpus_without_labels(
    model_settings: Settings, small_corpus: Path, shared_data: Path
) -> None:
    runner = create_app(model_settings, lazy_runtime=True).test_cli_runner()
    result = runner.invoke(args=["evaluate", "--data", str(small_corpus)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output[: result.output.rindex("}") + 1])
    assert metrics["learned"]["update_reasons"] == {}
    assert 0 < metrics["learned"]["reliefweb"]["precision"] <= 1

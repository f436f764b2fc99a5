"""``train`` and ``evaluate``: the learned models, from the command line.

``train`` fits on the hand-written corpus in models/data, writes a versioned artifact with
its metadata to the model folder and makes it the active one that the service loads at
start. ``evaluate`` prints learned-vs-baseline metrics as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from models.evaluate import evaluate as evaluate_models
from models.registry import load_active
from models.score_training import evaluate_score_model, train_score_model
from models.train import train as train_models
from service.cli import cli_runtime
from service.extensions import SCORE_MODELS
from service.settings import REPO_ROOT

CORPUS_DIR = REPO_ROOT / "models" / "data"
SHARED_DATA_DIR = REPO_ROOT.parent / "shared" / "data"

corpus_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=CORPUS_DIR,
    show_default=True,
    help="The labelled corpus.",
)


@click.command()
@corpus_option
@click.option("--seed", default=0, show_default=True, help="Seed of the cross-validation folds.")
@click.option(
    "--scoring",
    is_flag=True,
    help="Also fit the overall-score model on the advisory history and news in ../shared/data.",
)
@with_appcontext
def train(data_dir: Path, seed: int, scoring: bool) -> None:
    """Fit the models on the corpus, save a versioned artifact and activate it."""
    artifacts = current_app.config["SETTINGS"].model_dir
    result = train_models(data_dir, artifacts, seed=seed)
    click.echo(json.dumps(result, indent=2))
    click.echo(f"active model {result['version']} in {artifacts}; restart the service to load it")
    if scoring:
        if not SHARED_DATA_DIR.is_dir():
            raise click.UsageError(f"--scoring needs the real data in {SHARED_DATA_DIR}")
        learned = load_active(artifacts)
        assert learned is not None  # just trained and activated
        fitted = train_score_model(SHARED_DATA_DIR, artifacts / SCORE_MODELS, learned, seed=seed)
        click.echo(json.dumps(fitted, indent=2))


@click.command()
@corpus_option
@click.option(
    "--shared-data",
    "shared_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Real data for the real-data checks [default: ../shared/data if present].",
)
@click.option("--no-real-data", is_flag=True, help="Leave out the real-data checks.")
@with_appcontext
def evaluate(data_dir: Path, shared_dir: Path | None, no_real_data: bool) -> None:
    """Print the learned models' and the baseline's metrics side by side, as JSON."""
    shared = shared_dir or (SHARED_DATA_DIR if SHARED_DATA_DIR.is_dir() else None)
    if no_real_data:
        shared = None
    elif shared is None:
        click.echo("../shared/data not found: real-data checks left out", err=True)
    result = evaluate_models(data_dir, current_app.config["SETTINGS"].model_dir, shared)
    if shared is not None:
        result["scoring"] = evaluate_score_model(shared, cli_runtime().analyzer)
    click.echo(json.dumps(result, indent=2))


COMMANDS = (train, evaluate)

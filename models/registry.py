"""Versioned model artifacts: skops files plus metadata, and the ACTIVE pointer.

Layout: ``<artifacts_dir>/<version>/model.skops`` and ``metadata.json``;
``<artifacts_dir>/ACTIVE`` holds the active version's name. skops loads only the types
listed in :data:`TRUSTED_TYPES`; anything else in a file is refused, never trusted.
"""

from __future__ import annotations

import json
import platform
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy
import sklearn
import skops
import skops.io as sio

from models.factor_config import load_factor_config
from models.learned import LearnedAnalyzer

__all__ = [
    "TRUSTED_TYPES",
    "ArtifactError",
    "activate",
    "load_active",
    "load_artifact",
    "save_artifact",
]

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
ACTIVE_FILE = "ACTIVE"

# Every non-primitive type a travelrisk artifact may contain; loading refuses the rest.
TRUSTED_TYPES: tuple[str, ...] = (
    "models.attribution.MentionFeaturizer",
    "models.attribution.RoleClassifier",
    "models.factors.FactorClassifier",
    "models.factors.lead_text",
    "models.factors.line_ngrams",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multioutput.MultiOutputClassifier",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.pipeline.Pipeline",
    "builtins.slice",
    "numpy.float64",
    "numpy.int64",
    "numpy.dtype",
    "numpy.ndarray",
)


class ArtifactError(RuntimeError):
    """An artifact is missing, malformed, untrusted or made by another scikit-learn."""


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            cwd=Path(__file__).resolve().parent,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def library_versions() -> dict[str, str]:
    """Versions of the libraries an artifact depends on."""
    return {
        "python": platform.python_version(),
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "skops": skops.__version__,
    }


def save_artifact(
    analyzer: LearnedAnalyzer, metrics: dict[str, Any], data_hash: str, artifacts_dir: Path
) -> str:
    """Write a new versioned artifact (not activated).

    Parameters
    ----------
    analyzer : LearnedAnalyzer
        The fitted analyser.
    metrics : dict
        JSON-able metrics recorded in the metadata.
    data_hash : str
        SHA-256 of the training corpus.
    artifacts_dir : Path
        The artifacts folder.

    Returns
    -------
    str
        The new version, ``<UTC timestamp>-<data hash prefix>``.
    """
    payload = {
        "role_model": analyzer.role_model,
        "factor_model": analyzer.factor_model,
        "factor_names": list(analyzer.factor_names),
    }
    return write_versioned(
        artifacts_dir,
        payload=payload,
        data_hash=data_hash,
        factors=analyzer.factor_names,
        metrics=metrics,
    )


def write_versioned(
    artifacts_dir: Path,
    *,
    payload: dict[str, Any],
    data_hash: str,
    factors: Sequence[str],
    metrics: dict[str, Any],
    prefix: str = "",
    extra: dict[str, Any] | None = None,
) -> str:
    """Write ``payload`` (skops) and its metadata under a new version folder.

    Parameters
    ----------
    artifacts_dir : Path
        The artifacts folder.
    payload : dict
        What skops persists.
    data_hash : str
        SHA-256 of the training data.
    factors : sequence of str
        The factors the artifact was fitted for.
    metrics : dict
        JSON-able metrics recorded in the metadata.
    prefix : str, default=""
        Prepended to the version (kinds of artifact apart).
    extra : dict, optional
        More metadata fields.

    Returns
    -------
    str
        The new version, ``<prefix><UTC timestamp>-<data hash prefix>``.
    """
    created = datetime.now(UTC)
    base = f"{prefix}{created:%Y%m%dT%H%M%S}-{data_hash[:8]}"
    version, n = base, 1
    while (Path(artifacts_dir) / version).exists():
        n += 1
        version = f"{base}-{n}"
    folder = Path(artifacts_dir) / version
    folder.mkdir(parents=True)
    sio.dump(payload, folder / MODEL_FILE)
    metadata = {
        **(extra or {}),
        "version": version,
        "created_at": created.isoformat(),
        "training_data_sha256": data_hash,
        "git_commit": _git_commit(),
        "libraries": library_versions(),
        "factors": list(factors),
        "metrics": metrics,
    }
    (folder / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    return version


def activate(version: str, artifacts_dir: Path) -> None:
    """Point ACTIVE at ``version`` (atomically)."""
    if not (Path(artifacts_dir) / version / MODEL_FILE).is_file():
        raise ArtifactError(f"no artifact {version!r} in {artifacts_dir}")
    tmp = Path(artifacts_dir) / (ACTIVE_FILE + ".tmp")
    tmp.write_text(version + "\n", encoding="utf-8")
    tmp.replace(Path(artifacts_dir) / ACTIVE_FILE)


def load_artifact(version: str, artifacts_dir: Path) -> LearnedAnalyzer:
    """Load one version.

    Raises
    ------
    ArtifactError
        Missing files, an untrusted type in the file, or another scikit-learn version.
    """
    folder = Path(artifacts_dir) / version
    try:
        metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        made_with = metadata["libraries"]["sklearn"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArtifactError(f"artifact {version!r}: unreadable metadata: {exc}") from exc
    if made_with != sklearn.__version__:
        raise ArtifactError(
            f"artifact {version!r} was made with scikit-learn {made_with}, this is "
            f"{sklearn.__version__}; retrain (python -m service train) or install {made_with}"
        )
    path = folder / MODEL_FILE
    try:
        untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
        if untrusted:
            raise ArtifactError(f"artifact {version!r} holds untrusted types: {sorted(untrusted)}")
        payload = sio.load(path, trusted=list(TRUSTED_TYPES))
    except ArtifactError:
        raise
    except Exception as exc:  # skops raises many kinds on corrupt files
        raise ArtifactError(f"artifact {version!r}: cannot load {path}: {exc}") from exc
    factors = tuple(payload["factor_names"])
    if factors != load_factor_config().names:
        raise ArtifactError(f"artifact {version!r} predicts {factors}, config has other factors")
    try:
        return LearnedAnalyzer(payload["role_model"], payload["factor_model"], factors, version)
    except ValueError as exc:  # includes the fast path's UnsupportedModel
        raise ArtifactError(f"artifact {version!r} does not fit this code: {exc}") from exc


def active_version(artifacts_dir: Path) -> str | None:
    """The version named by ACTIVE, or None."""
    path = Path(artifacts_dir) / ACTIVE_FILE
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8").strip() or None


def load_active(artifacts_dir: Path) -> LearnedAnalyzer | None:
    """The active analyser, or None when nothing is active.

    Raises
    ------
    ArtifactError
        ACTIVE names a version that cannot be loaded.
    """
    version = active_version(artifacts_dir)
    return None if version is None else load_artifact(version, artifacts_dir)

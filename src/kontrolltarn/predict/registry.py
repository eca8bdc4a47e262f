"""Saving and loading models with a model card (version, training data, metrics).

A saved model is a folder: ``model.pkl`` (the fitted object) and ``card.json`` (readable by a
person and by the service). The card holds the SHA-256 of the pickle and loading refuses a
file that does not match it. Pickles run code when loaded: load only models this project saved.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kontrolltarn import __version__
from kontrolltarn.model import ModelError

#: bump when a saved model's layout changes; older files are then refused with a clear error
#: 2 (issue 18): the duration model carries its learnt prior variances and the estimates'
#: covariance; a model saved before predicts without them, so it is refused
FORMAT_VERSION = 2


@dataclass
class ModelCard:
    """What a model is, what it learnt from and how well it did on data it did not see."""

    name: str
    kind: str
    version: str = __version__
    format_version: int = FORMAT_VERSION
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    training_data: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""


def save_model(model: Any, card: ModelCard, folder: Path) -> Path:
    """Write ``model`` and its card into ``folder`` (created if needed), atomically per file."""
    folder.mkdir(parents=True, exist_ok=True)
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    card.sha256 = hashlib.sha256(blob).hexdigest()
    _write_atomic(folder / "model.pkl", blob)
    _write_atomic(folder / "card.json", json.dumps(asdict(card), indent=2, default=str).encode())
    return folder


def load_card(folder: Path) -> ModelCard:
    path = folder / "card.json"
    if not path.exists():
        raise ModelError("model.folder", str(folder), "no card.json: not a saved model")
    try:
        data = json.loads(path.read_text())
        card = ModelCard(**data)
    except (json.JSONDecodeError, TypeError) as error:
        raise ModelError("model.card", str(path), f"unreadable model card: {error}") from error
    if card.format_version != FORMAT_VERSION:
        raise ModelError("model.card.format_version", card.format_version,
                         f"this version reads format {FORMAT_VERSION}; retrain the model")
    return card


def load_model(folder: Path, expected_kind: type | None = None) -> tuple[Any, ModelCard]:
    """The model saved in ``folder`` and its card; checks the hash and, if given, the type."""
    card = load_card(folder)
    blob = (folder / "model.pkl").read_bytes()
    if hashlib.sha256(blob).hexdigest() != card.sha256:
        raise ModelError("model.pkl", str(folder), "does not match the hash on its card")
    model = pickle.loads(blob)  # noqa: S301 - our own file, hash checked above
    if expected_kind is not None and not isinstance(model, expected_kind):
        raise ModelError("model.kind", type(model).__name__, f"expected {expected_kind.__name__}")
    return model, card


def _write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename: never a half-written model."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

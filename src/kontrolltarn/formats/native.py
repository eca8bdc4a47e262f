"""Kontrolltårn's own JSON format for hospitals, programs and history.

Files in the model's generic codec (``model.codec``), so a new field needs no new code here.
Output is deterministic (sets sorted), so the same data gives the same bytes.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from kontrolltarn.model import Hospital, ModelError, PastOperation, Program
from kontrolltarn.model.codec import from_jsonable, to_jsonable

__all__ = ["FORMAT_VERSION", "dumps", "from_jsonable", "load_history", "load_hospital",
           "load_program", "save_hospital", "save_program", "to_jsonable"]

FORMAT_VERSION = 1


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def _write(path: Path, document: dict[str, Any]) -> None:
    """Write atomically: a crash never leaves half a file under the final name."""
    path = Path(path)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    tmp = path.with_name(path.name + ".tmp")
    if path.suffix == ".gz":
        # no file name and mtime=0 in the header: identical data gives identical bytes
        with open(tmp, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(text.encode("utf-8"))
    else:
        tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _read(path: Path, kind: str) -> dict[str, Any]:
    path = Path(path)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        document = json.loads(raw.decode("utf-8"))
    except FileNotFoundError as exc:
        raise ModelError("path", str(path), "no such file") from exc
    except (UnicodeDecodeError, json.JSONDecodeError, OSError, EOFError) as exc:
        raise ModelError("path", str(path), f"not a readable JSON file: {exc}") from exc
    if not isinstance(document, dict) or document.get("kind") != kind:
        found = document.get("kind") if isinstance(document, dict) else type(document).__name__
        raise ModelError("kind", found, f"{path} is not a Kontrolltårn {kind} file")
    return document


def save_hospital(hospital: Hospital, path: Path,
                  history: tuple[PastOperation, ...] | None = None) -> None:
    document: dict[str, Any] = {"kind": "hospital", "version": FORMAT_VERSION,
                                "hospital": to_jsonable(hospital)}
    if history is not None:
        document["history"] = to_jsonable(history)
    _write(path, document)


def load_hospital(path: Path) -> Hospital:
    document = _read(path, "hospital")
    result: Hospital = from_jsonable(Hospital, document.get("hospital"), "hospital")
    return result


def load_history(path: Path) -> tuple[PastOperation, ...]:
    document = _read(path, "hospital")
    result: tuple[PastOperation, ...] = from_jsonable(
        tuple[PastOperation, ...], document.get("history", []), "history")
    return result


def save_program(program: Program, path: Path) -> None:
    _write(path, {"kind": "program", "version": FORMAT_VERSION, "program": to_jsonable(program)})


def load_program(path: Path) -> Program:
    document = _read(path, "program")
    result: Program = from_jsonable(Program, document.get("program"), "program")
    return result

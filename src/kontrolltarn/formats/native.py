"""Kontrolltårn's own JSON format for hospitals, programs and history.

A generic codec over the model's dataclasses, driven by their type hints, so a new field needs
no new code here. Output is deterministic (sets sorted), so the same data gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, Union, get_args, get_origin

from kontrolltarn.model import Hospital, ModelError, PastOperation, Program

T = TypeVar("T")
FORMAT_VERSION = 1


def to_jsonable(value: Any) -> Any:
    """Plain JSON data for a model value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted((to_jsonable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_jsonable(tp: Any, data: Any, where: str = "$") -> Any:
    """Rebuild a value of type ``tp``; a wrong value raises ``ModelError`` naming its path."""
    origin = get_origin(tp)
    if tp is Any:
        return data
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if data is None:
            return None
        return from_jsonable(args[0], data, where)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise ModelError(where, data, f"expected an object for {tp.__name__}")
        hints = _hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in data:
                kwargs[f.name] = from_jsonable(hints[f.name], data[f.name], f"{where}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ModelError(f"{where}.{f.name}", None, "required field is missing")
        unknown = set(data) - {f.name for f in dataclasses.fields(tp)}
        if unknown:
            raise ModelError(f"{where}.{sorted(unknown)[0]}", data[sorted(unknown)[0]], "unknown field")
        try:
            return tp(**kwargs)
        except ModelError:
            raise
        except (TypeError, ValueError) as exc:
            raise ModelError(where, data, str(exc)) from exc
    if origin in (tuple, frozenset, list, set):
        if not isinstance(data, list):
            raise ModelError(where, data, "expected a list")
        item_type = get_args(tp)[0]
        items = [from_jsonable(item_type, v, f"{where}[{i}]") for i, v in enumerate(data)]
        return {tuple: tuple, frozenset: frozenset, list: list, set: set}[origin](items)
    if origin in (dict, Mapping) or tp in (dict, Mapping) or origin is typing.Mapping:
        if not isinstance(data, dict):
            raise ModelError(where, data, "expected an object")
        key_type, value_type = get_args(tp) or (str, Any)
        return {from_jsonable(key_type, k, f"{where}.{k}"): from_jsonable(value_type, v, f"{where}.{k}")
                for k, v in data.items()}
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(data)
        except ValueError as exc:
            raise ModelError(where, data, f"not one of {[m.value for m in tp]}") from exc
    if tp is datetime:
        try:
            value = datetime.fromisoformat(data)
        except (TypeError, ValueError) as exc:
            raise ModelError(where, data, "expected an ISO 8601 date-time") from exc
        return value
    if tp is date:
        try:
            return date.fromisoformat(data)
        except (TypeError, ValueError) as exc:
            raise ModelError(where, data, "expected an ISO 8601 date (YYYY-MM-DD)") from exc
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise ModelError(where, data, "expected a number")
        return float(data)
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise ModelError(where, data, "expected a whole number")
        return data
    if tp is str:
        if not isinstance(data, str):
            raise ModelError(where, data, "expected a string")
        return data
    if tp is bool:
        if not isinstance(data, bool):
            raise ModelError(where, data, "expected true or false")
        return data
    return data


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

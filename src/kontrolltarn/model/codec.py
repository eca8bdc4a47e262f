"""The generic codec between the model's dataclasses and plain JSON data, driven by their type
hints, so a new field needs no new code. Sets are written sorted, so the same value gives the
same data. The native file format (``formats.native``) and the store both speak it."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, Union, get_args, get_origin

from .errors import ModelError


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


@cache
def _fields(cls: type) -> tuple[tuple[tuple[str, Any, bool], ...], frozenset[str]]:
    """Each field's name, type hint and whether it is required; and the set of names."""
    hints = _hints(cls)
    found = tuple((f.name, hints[f.name], f.default is dataclasses.MISSING
                   and f.default_factory is dataclasses.MISSING) for f in dataclasses.fields(cls))
    return found, frozenset(name for name, _, _ in found)


#: plain values that are already what their type asks for (most of a hospital's fields)
_PLAIN = {str: str, int: int, float: float, bool: bool}


def from_jsonable(tp: Any, data: Any, where: str = "$") -> Any:
    """Rebuild a value of type ``tp``; a wrong value raises ``ModelError`` naming its path."""
    if _PLAIN.get(tp) is type(data):  # the common case first (bool is not an int here)
        return data
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
        fields, names = _fields(tp)
        kwargs = {}
        for name, hint, required in fields:
            if name in data:
                kwargs[name] = from_jsonable(hint, data[name], f"{where}.{name}")
            elif required:
                raise ModelError(f"{where}.{name}", None, "required field is missing")
        unknown = set(data) - names
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

"""Request hardening in one place, in front of every endpoint (issue 21, findings 5 and 10).

``RequestGuard`` is an ASGI middleware that answers, before any router runs:

- 413 for a body over its path's limit (``DEFAULT_MAX_BODY`` unless the path has its own),
  from the Content-Length header before reading, else as soon as the read passes the limit;
- 422 for a JSON body that is not UTF-8, nests deeper than ``MAX_DEPTH``, or holds NaN,
  Infinity, a number too large for a float, a lone surrogate (``\\ud800``) or a NUL character
  anywhere (PostgreSQL cannot store NUL in text); the error's ``loc`` is the JSON path;
- 422 for a path or query parameter holding NUL or invalid UTF-8 (percent-encoded).

Errors have FastAPI's shape (``{"detail": [{"loc", "msg", "type"}]}``) and never echo the bad
value: it may be a password or a 50 MB string. ``safe_validation_errors`` does the same for
the routers' own validation errors (``RequestValidationError``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: every endpoint's body limit unless it has its own (a login, a case change or a decision is
#: a few hundred bytes)
DEFAULT_MAX_BODY = 1024 * 1024
#: the event feed's: its largest batch (5000 events, every field at its longest) is ~2.2 MB
EVENT_FEED_MAX_BODY = 4 * 1024 * 1024
#: legitimate bodies are a few levels deep; deeper ones are refused before any parser recurses
MAX_DEPTH = 32
#: a validation error shows at most this much of a (non-secret) value
MAX_ECHO = 80
#: fields whose values are never echoed in an error
SECRET_FIELDS = re.compile(r"password|token|secret", re.IGNORECASE)
_SURROGATE = re.compile("[\ud800-\udfff]")

Loc = list[str | int]


class Refused(Exception):
    """Bad input found by the guard: where (``loc``), what (``msg``) and the HTTP status."""

    def __init__(self, loc: Loc, msg: str, kind: str, status: int = 422) -> None:
        super().__init__(msg)
        self.loc, self.msg, self.kind, self.status = loc, msg, kind, status

    def body(self) -> bytes:
        if self.status == 413:
            return json.dumps({"detail": self.msg}).encode()
        return json.dumps({"detail": [{"loc": self.loc, "msg": self.msg,
                                       "type": self.kind}]}).encode()


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (\\u0000)"
    if _SURROGATE.search(text):
        return "contains a lone surrogate (not a Unicode character)"
    return None


def check_json_value(value: Any, loc: Loc) -> None:
    """Raise ``Refused`` at the first place in a parsed JSON value that no endpoint may
    receive: NUL or a lone surrogate in a key or string, a non-finite number, or nesting
    deeper than ``MAX_DEPTH``. Iterative, so a deep value cannot exhaust the stack."""
    stack: list[tuple[Any, Loc]] = [(value, loc)]
    while stack:
        item, where = stack.pop()
        if len(where) > MAX_DEPTH + 1:
            raise Refused(where, f"nested deeper than {MAX_DEPTH} levels", "json_too_deep")
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                raise Refused(where, f"the string {problem}", "string_invalid")
        elif isinstance(item, float) and not math.isfinite(item):
            raise Refused(where, "NaN, Infinity or a number too large is not allowed",
                          "finite_number")
        elif isinstance(item, dict):
            for key, child in item.items():
                problem = _text_problem(key)
                if problem:
                    raise Refused(where, f"a key {problem}", "key_invalid")
                stack.append((child, [*where, key]))
        elif isinstance(item, list):
            stack.extend((child, [*where, i]) for i, child in enumerate(item))


def check_json_body(raw: bytes) -> None:
    """Refuse a JSON body that is not UTF-8 or holds what ``check_json_value`` refuses. Syntax
    errors are left to FastAPI, which names them itself."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        raise Refused(["body"], f"not valid UTF-8 (byte {bad.start})", "utf8_invalid") from None
    if text.startswith("\ufeff"):
        raise Refused(["body"], "starts with a byte order mark", "utf8_invalid")
    try:
        value = json.loads(text)
    except RecursionError:  # nested deeper than the parser can recurse
        raise Refused(["body"], f"nested deeper than {MAX_DEPTH} levels",
                      "json_too_deep") from None
    except ValueError:
        return
    check_json_value(value, ["body"])


def _decoded(raw: bytes, loc: Loc) -> str:
    try:
        text = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(loc, "not valid UTF-8", "utf8_invalid") from None
    problem = _text_problem(text)
    if problem:
        raise Refused(loc, problem, "string_invalid")
    return text


def check_query(query: bytes) -> None:
    """Each query parameter's name and value: UTF-8, no NUL."""
    for pair in query.split(b"&"):
        name, _, value = pair.replace(b"+", b" ").partition(b"=")
        label = unquote_to_bytes(name).decode("utf-8", "replace")
        _decoded(name, ["query", label])
        _decoded(value, ["query", label])


def check_path(scope: Scope, templates: Callable[[], Iterable[str]] | None = None) -> None:
    """The path, percent-decoded: UTF-8, no NUL. The error names the path parameter that
    holds the bad segment when one of ``templates`` (``/api/cases/{case_id}``) fits the path
    (``["path", "case_id"]``)."""
    raw: bytes = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    segments = raw.split(b"/")
    for index, segment in enumerate(segments):
        try:
            _decoded(segment, ["path"])
        except Refused as refused:
            name = _parameter(segments, index, templates() if templates else ())
            refused.loc = ["path", name or f"(segment {index})"]
            raise


def _parameter(segments: list[bytes], index: int, templates: Iterable[str]) -> str | None:
    """The name of the parameter at ``index`` in the first template whose other segments are
    the path's."""
    for template in templates:
        parts = template.split("/")
        if len(parts) != len(segments) or not parts[index].startswith("{"):
            continue
        if all(p.startswith("{") or p.encode() == s for p, s in zip(parts, segments, strict=True)):
            return parts[index].strip("{}").split(":")[0]
    return None


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.strip().isdigit() else None
    return None


class RequestGuard:
    """The ASGI middleware; ``limits`` maps a path to its own body limit (e.g. the import's).
    ``templates`` gives the app's path templates, so that an error in the path names the path
    parameter."""

    def __init__(self, app: ASGIApp, limits: Mapping[str, int] | None = None,
                 default_limit: int = DEFAULT_MAX_BODY,
                 templates: Callable[[], Iterable[str]] | None = None) -> None:
        self.app, self.limits, self.default_limit = app, dict(limits or {}), default_limit
        self.templates = templates

    def limit_for(self, path: str) -> int:
        return self.limits.get(path.rstrip("/") or "/", self.default_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        try:
            check_path(scope, self.templates)
            if scope.get("query_string"):
                check_query(scope["query_string"])
            declared = _declared_length(scope)
            if declared is not None and declared > limit:
                raise Refused(["body"], f"request body larger than {limit} bytes",
                              "too_large", 413)
            body, tail = await self._read(receive, limit)
            if body and _is_json(scope):
                check_json_body(body)
        except Refused as refused:
            await _answer(send, refused)
            return
        await self.app(scope, _replay(body, tail, receive), send)

    @staticmethod
    async def _read(receive: Receive, limit: int) -> tuple[bytes, list[Message]]:
        """The whole body (refused once it passes ``limit``), and any non-body message that
        came instead (a disconnect), to be passed on."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks), [message]
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise Refused(["body"], f"request body larger than {limit} bytes",
                              "too_large", 413)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), []


def _replay(body: bytes, tail: list[Message], receive: Receive) -> Receive:
    """A receive that gives the app the body already read, then the rest of the connection's
    messages (a disconnect)."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}, *tail]

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


#: sent with every response: the app's middleware adds them to the routers' answers, the guard
#: to its own (it answers before that middleware runs)
SECURITY_HEADERS = {
    # inline style attributes position the timeline blocks; scripts stay strictly same-origin
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self' 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def _answer(send: Send, refused: Refused) -> None:
    payload = refused.body()
    await send({"type": "http.response.start", "status": refused.status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode()),
                            *((k.lower().encode(), v.encode())
                              for k, v in SECURITY_HEADERS.items())]})
    await send({"type": "http.response.body", "body": payload})


def safe_validation_errors(errors: Any) -> list[dict[str, Any]]:
    """FastAPI's validation errors without the inputs they would echo: a secret field's value
    is dropped, a whole object (which may hold a password) too, and other values are cut to
    ``MAX_ECHO`` characters."""
    safe = []
    for error in errors:
        entry = {k: v for k, v in error.items() if k in ("type", "loc", "msg")}
        value = error.get("input")
        secret = any(isinstance(part, str) and SECRET_FIELDS.search(part)
                     for part in error.get("loc", ()))
        if not secret and (value is None or isinstance(value, str | int | float | bool)):
            entry["input"] = _cut(value) if isinstance(value, str) else value
        if isinstance(error.get("ctx"), dict) and not secret:
            entry["ctx"] = {k: v if isinstance(v, int | float | bool) else _cut(str(v))
                            for k, v in error["ctx"].items()}
        safe.append(entry)
    return safe


def _cut(text: str) -> str:
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "…"

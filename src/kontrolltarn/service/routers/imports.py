"""Import through the API: a FHIR bundle (JSON), an xlsx workbook or a zip of CSV files, read by
``kontrolltarn.formats.importer.import_file`` into the stored hospital, and stored in one
transaction. All or nothing: any error rejects the whole file with 422, each error naming its
place (resource or row), field, value and reason; nothing changes. Coordinators only; every
import is audited (counts only)."""

from __future__ import annotations

import math
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from ..auth import Need, Principal
from ..guard import Refused, check_json_body
from ..runtime import Runtime
from . import runtime

router = APIRouter(prefix="/api/import", tags=["import"])

#: uploads larger than this are refused (413) before they are read into memory
MAX_BYTES = 20 * 1024 * 1024
BODY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    "application/fhir+json": {"schema": {"type": "string", "format": "binary"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}},
    "application/zip": {"schema": {"type": "string", "format": "binary"}}}}}


def _issue(issue: Any) -> dict[str, Any]:
    value = issue.value
    plain = isinstance(value, str | int | bool) or value is None or (
        isinstance(value, float) and math.isfinite(value))
    return {"place": issue.place, "field": issue.field, "value": value if plain else str(value),
            "reason": issue.reason}


@router.post("", openapi_extra=BODY)
async def import_upload(request: Request,
                        name: str = Query("upload", min_length=1, max_length=200,
                                          description="the file's name; its suffix (.json, "
                                                      ".xlsx, .zip) tells the format"),
                        format: Literal["fhir", "xlsx", "csv"] | None = Query(None),
                        rt: Runtime = Depends(runtime),
                        who: Principal = Need("import:run")) -> dict[str, Any]:
    """Upload the file as the request body. On success the stored hospital is replaced by the
    merged one (new referrals reach the waiting list; ``revision`` is its new revision); a
    program in the file is stored as a *proposed* version (``program_version``): the live plan
    changes only when a coordinator publishes it. On any error: 422, nothing changed."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BYTES:
        raise HTTPException(413, f"upload larger than {MAX_BYTES} bytes")
    raw = await request.body()
    if len(raw) > MAX_BYTES:
        raise HTTPException(413, f"upload larger than {MAX_BYTES} bytes")
    if not raw:
        raise HTTPException(422, [{"place": name, "field": "(file)", "value": None,
                                   "reason": "empty upload"}])
    # a FHIR file, whatever its content type, is refused as any JSON body with NaN, NUL … is
    if raw.lstrip()[:1] in (b"{", b"["):
        try:
            check_json_body(raw)
        except Refused as bad:
            raise HTTPException(422, [{"place": name, "field": ".".join(map(str, bad.loc[1:]))
                                       or "(file)", "value": None, "reason": bad.msg}]) from None
    result, stored = await run_in_threadpool(rt.import_upload, raw, name, format, who)
    if not result.ok:
        raise HTTPException(422, [_issue(i) for i in result.errors])
    return {"format": result.format, "read": result.read, "added": result.added,
            "updated": result.updated, "warnings": [_issue(i) for i in result.warnings],
            "program_entries": len(result.program.entries) if result.program else 0,
            "revision": stored.revision if stored else None,
            "program_version": stored.program_version if stored else None}

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from ..auth import COOKIE, Principal, Role, home_page, principal_from, start_session
from ..runtime import Runtime
from ..schemas import LoginIn
from . import runtime

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login")
def login(body: LoginIn, request: Request, response: Response,
          rt: Runtime = Depends(runtime)) -> dict[str, Any]:
    """Check the password (argon2) and issue a session token (also set as an HttpOnly cookie).
    ``home``: the page the role lands on (the porter's queue, the nurse's room, the surgeon's
    and anaesthesia's lists; the board for the coordinator). Too many failures for a username
    or from an address: 429 with Retry-After, until the lock ends (see ``store.logins``); every
    failure and lockout is audited."""
    address = _address(request)
    lock = rt.store.logins.locked(body.username, address)
    if lock is not None:
        rt.store.logins.refused(body.username, address, lock)
        wait = lock.seconds_left(datetime.now(UTC))
        raise HTTPException(429, f"too many failed logins: try again in {wait} s",
                            headers={"Retry-After": str(wait)})
    user, why = rt.store.users.check(body.username, body.password)
    if user is None:
        rt.store.logins.failed(body.username, address, why)
        raise HTTPException(401, "wrong username or password")
    rt.store.logins.succeeded(user.username)
    token = start_session(request, response, Principal(user.username, Role(user.role)),
                          rt.settings.token_hours, login_from=address)
    return {"token": token, "username": user.username, "role": user.role,
            "home": home_page(Role(user.role))}


@router.post("/logout")
def logout(request: Request, response: Response,
           rt: Runtime = Depends(runtime)) -> dict[str, str]:
    """End the session: its token (header or cookie) is refused from now on, in every
    process."""
    principal = principal_from(request)
    if principal is not None and principal.session_id is not None:
        rt.store.sessions.revoke(principal.session_id, principal.actor)
    response.delete_cookie(COOKIE)
    return {"status": "logged out"}


@router.get("/me")
def me(request: Request) -> dict[str, Any]:
    principal = principal_from(request)
    if principal is None:
        raise HTTPException(401, "login required")
    return {"username": principal.username, "role": principal.role.value,
            "home": home_page(principal.role)}

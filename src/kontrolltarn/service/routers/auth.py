from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from ..auth import COOKIE, Principal, Role, issue_token, principal_from
from ..runtime import Runtime
from ..schemas import LoginIn
from . import runtime

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login")
def login(body: LoginIn, response: Response, rt: Runtime = Depends(runtime)) -> dict[str, Any]:
    """Check the password (argon2) and issue a session token (also set as an HttpOnly cookie)."""
    user = rt.store.users.verify(body.username, body.password)
    if user is None:
        raise HTTPException(401, "wrong username or password")
    principal = Principal(user.username, Role(user.role))
    token = issue_token(rt.settings.secret_key, principal, rt.settings.token_hours)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                        secure=rt.settings.secure_cookies,
                        max_age=int(rt.settings.token_hours * 3600))
    rt.store.audit.record(user.username, user.role, "login", "user", user.username)
    return {"token": token, "username": user.username, "role": user.role}


@router.post("/logout")
def logout(response: Response) -> dict[str, str]:
    response.delete_cookie(COOKIE)
    return {"status": "logged out"}


@router.get("/me")
def me(request: Request) -> dict[str, Any]:
    principal = principal_from(request)
    if principal is None:
        raise HTTPException(401, "login required")
    return {"username": principal.username, "role": principal.role.value}

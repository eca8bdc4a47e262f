"""Login tokens, roles and the permission every endpoint asks for.

Tokens are HMAC-signed (user, role, expiry, the session, and for patients the one case they may
see); they travel as a bearer header or an HttpOnly cookie (the browser's EventSource cannot set
headers). A token is accepted only while its session is live in the store (``store.sessions``):
logout, a password or role change end it at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from fastapi import Depends, HTTPException, Request, Response

from kontrolltarn.store import Actor

COOKIE = "kt_session"


class Role(StrEnum):
    COORDINATOR = "coordinator"
    SURGEON = "surgeon"
    OR_NURSE = "or_nurse"
    ANAESTHESIA = "anaesthesia"
    PORTER = "porter"
    LEADER = "leader"  # read-only
    PATIENT = "patient"  # one case, through a one-time link
    FEED = "feed"  # a machine that posts milestone events (integration engine, simulator)
    UNIT_LEADER = "unit_leader"  # a unit's roster: publishes it, decides staff requests
    STAFF_MEMBER = "staff_member"  # own shifts and requests, the unit's published roster


#: the roles' Norwegian names (the demo users are Norwegian), accepted wherever a person
#: types a role (``parse_role``)
NORWEGIAN_ROLES: dict[str, Role] = {
    "koordinator": Role.COORDINATOR, "kirurg": Role.SURGEON, "sykepleier": Role.OR_NURSE,
    "operasjonssykepleier": Role.OR_NURSE, "anestesi": Role.ANAESTHESIA, "portør": Role.PORTER,
    "portor": Role.PORTER, "leder": Role.LEADER, "pasient": Role.PATIENT, "feed": Role.FEED,
    "enhetsleder": Role.UNIT_LEADER, "avdelingsleder": Role.UNIT_LEADER,
    "ansatt": Role.STAFF_MEMBER, "medarbeider": Role.STAFF_MEMBER}


def parse_role(name: str) -> Role:
    """The role called ``name`` in English (its value) or Norwegian, in any case; ValueError
    for any other name."""
    typed = name.strip().casefold()
    return NORWEGIAN_ROLES.get(typed) or Role(typed)


#: the page each role lands on after login (the board stays the coordinator's and the leader's;
#: the others may still open it from their own page)
HOME_PAGE: dict[Role, str] = {
    Role.COORDINATOR: "/", Role.LEADER: "/", Role.FEED: "/", Role.PORTER: "/porter.html",
    Role.OR_NURSE: "/nurse.html", Role.SURGEON: "/list.html", Role.ANAESTHESIA: "/list.html",
    Role.PATIENT: "/patient.html", Role.UNIT_LEADER: "/roster.html",
    Role.STAFF_MEMBER: "/staff.html"}


def home_page(role: Role) -> str:
    """Where ``role`` lands after login (the board for a role without a page of its own)."""
    return HOME_PAGE.get(role, "/")


STAFF = {Role.COORDINATOR, Role.SURGEON, Role.OR_NURSE, Role.ANAESTHESIA, Role.LEADER}
CLINICAL = {Role.COORDINATOR, Role.OR_NURSE, Role.ANAESTHESIA}

#: permission -> roles that have it. Every endpoint names one permission.
PERMISSIONS: dict[str, set[Role]] = {
    "board:read": STAFF | {Role.PORTER},
    "case:read": STAFF,  # patient-identifying: every read is audited
    "case:write": {Role.COORDINATOR},
    "event:write": CLINICAL | {Role.FEED},
    "event:read": {Role.COORDINATOR, Role.LEADER, Role.FEED},
    "program:read": STAFF,
    "program:publish": {Role.COORDINATOR},  # a human decision, audited with why
    "job:run": {Role.COORDINATOR},
    "job:read": STAFF,
    "referral:read": {Role.COORDINATOR, Role.SURGEON, Role.LEADER},
    "suggestion:read": STAFF,
    "suggestion:decide": {Role.COORDINATOR},
    "audit:read": {Role.COORDINATOR, Role.LEADER},
    "kpi:read": {Role.COORDINATOR, Role.LEADER},  # aggregates only, no patient data
    "patient_link:create": {Role.COORDINATOR},
    "porter:request": CLINICAL,
    "porter:read": CLINICAL | {Role.PORTER},
    "porter:update": {Role.PORTER, Role.COORDINATOR},
    "room:ready": {Role.OR_NURSE, Role.COORDINATOR},
    "import:run": {Role.COORDINATOR},
    "patient:self": {Role.PATIENT},
    # rosters: each read is scoped to the login's unit (a staff member: the published one)
    "roster:read": {Role.UNIT_LEADER, Role.STAFF_MEMBER},
    "roster:write": {Role.UNIT_LEADER},  # drafts, and publishing a roster the checker passes
    "staff_request:ask": {Role.STAFF_MEMBER},
    "staff_request:read": {Role.UNIT_LEADER, Role.STAFF_MEMBER},  # a staff member: own only
    "staff_request:decide": {Role.UNIT_LEADER},  # re-checked by the server on approval
    # the local planning rules and each specialty's targets: saved versions, audited with why
    "rules:write": {Role.COORDINATOR, Role.LEADER},
}


@dataclass(frozen=True)
class Principal:
    username: str
    role: Role
    case_id: str | None = None  # patients only
    #: the store's session this principal's token belongs to (None: not from a token)
    session_id: str | None = None

    @property
    def actor(self) -> Actor:
        """Who this is to the store's audited writes."""
        return Actor(self.username, self.role.value)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(secret: str, principal: Principal, hours: float) -> str:
    body = _b64(json.dumps({"u": principal.username, "r": principal.role.value,
                            "c": principal.case_id, "s": principal.session_id,
                            "exp": time.time() + hours * 3600}).encode())
    signature = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(signature)}"


def read_token(secret: str, token: str) -> Principal | None:
    """The principal a well-signed, unexpired token names (its session is not checked here)."""
    try:
        body, signature = token.split(".", 1)
        expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(signature)):
            return None
        claims = json.loads(_unb64(body))
        if claims["exp"] < time.time():
            return None
        return Principal(claims["u"], Role(claims["r"]), claims.get("c"), claims.get("s"))
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        return None


def principal_from(request: Request) -> Principal | None:
    """Who the request's token (bearer header, else cookie) speaks for, if its signature holds,
    it has not expired and its session is live."""
    runtime = request.app.state.runtime
    header = request.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else request.cookies.get(COOKIE)
    principal = read_token(runtime.settings.secret_key, token) if token else None
    if principal is None or not isinstance(principal.session_id, str):
        return None
    return principal if runtime.store.sessions.live(principal.session_id) else None


def start_session(request: Request, response: Response, principal: Principal,
                  hours: float, login_from: str | None = None) -> str:
    """Open a session in the store for ``principal``, sign its token and set it as the
    HttpOnly cookie too; the token. ``login_from``: a password login's address (audited)."""
    runtime = request.app.state.runtime
    settings = runtime.settings
    session_id = runtime.store.sessions.open(principal.username, principal.role.value, hours,
                                             login_from=login_from)
    token = issue_token(settings.secret_key, replace(principal, session_id=session_id), hours)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                        secure=settings.secure_cookies, max_age=int(hours * 3600))
    return token


def need(permission: str) -> Callable[[Request], Principal]:
    """A dependency that admits only roles with ``permission`` (401 without login, 403 without
    the permission)."""
    allowed = PERMISSIONS[permission]

    def check(request: Request) -> Principal:
        principal = principal_from(request)
        if principal is None:
            raise HTTPException(401, "login required", headers={"WWW-Authenticate": "Bearer"})
        if principal.role not in allowed:
            raise HTTPException(403, f"role {principal.role.value} may not {permission}")
        return principal

    check.__name__ = f"need_{permission.replace(':', '_')}"
    return check


def Need(permission: str) -> Principal:  # noqa: N802 - reads like a type in signatures
    return Depends(need(permission))

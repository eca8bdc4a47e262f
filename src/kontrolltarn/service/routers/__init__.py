"""One router per resource."""

from fastapi import Request

from ..runtime import Runtime


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt

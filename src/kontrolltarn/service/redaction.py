"""No secret or national identity number in any log line (issue 21, finding 5).

The service never logs request bodies; this is the second line: every log record made in the
process (the service's, uvicorn's, SQLAlchemy's, any library's) has its message and any
traceback redacted when it is made, before any handler sees it. Handlers come and go (uvicorn
configures its own at start), so the redaction sits in the log record factory, not in a
handler's filter.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

#: a fødselsnummer or D-nummer: 11 digits standing alone
NATIONAL_ID = re.compile(r"(?<!\d)\d{11}(?!\d)")
#: an Authorization header's credentials, and a signed token (base64 JSON body . signature)
BEARER = re.compile(r"(?i)\b(bearer)\s+[^\s'\",;]+")
SIGNED_TOKEN = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")
#: a secret named in a JSON body, a query string or a Python repr
NAMED_SECRET = re.compile(
    r"(?i)([\"']?(?:password|passord|token|secret)[\"']?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,&}]+)")


def redact(text: str) -> str:
    """``text`` with national identity numbers, bearer credentials, signed tokens and named
    secrets replaced."""
    text = NAMED_SECRET.sub(r"\1[redacted]", text)
    text = BEARER.sub(r"\1 [redacted]", text)
    text = SIGNED_TOKEN.sub("[redacted token]", text)
    return NATIONAL_ID.sub("[redacted id]", text)


def _redacting(factory: Any) -> Any:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what the logging module would show
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            # formatted now, redacted, and cached where every Formatter looks first
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    make.redacts = True  # type: ignore[attr-defined]
    return make


def install() -> None:
    """Redact every log record made in this process from now on (idempotent)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "redacts", False):
        logging.setLogRecordFactory(_redacting(current))

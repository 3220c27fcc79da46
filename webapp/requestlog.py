"""One line per request for the operator, through gunicorn's logger.

The line goes to a child of gunicorn's error logger (``gunicorn.error.request``), so it
reaches the stream ``prakas serve`` gives gunicorn (stderr: the journal under systemd)
with gunicorn's own prefix (time, worker pid, level) and no handler of our own. Fields
are ``key=value`` in a fixed order; a value that is not a plain token is quoted as a JSON
string, so nothing a client sends can break the line in two or forge a field. The
client's address is written only when the operator asks (``PRAKAS_LOG_CLIENT_IP``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping

LOGGER = "gunicorn.error.request"
_PLAIN = re.compile(r"[A-Za-z0-9_.:/<>@+-]+")

log = logging.getLogger(LOGGER)


def line(fields: Mapping[str, object]) -> str:
    """``request method=GET route=/search status=200 ms=3.1 generation=gen-… cache=hit``."""
    return "request " + " ".join(f"{key}={_value(value)}" for key, value in fields.items())


def _value(value: object) -> str:
    text = str(value)
    return text if _PLAIN.fullmatch(text) else json.dumps(text)


def write(fields: Mapping[str, object]) -> None:
    if log.isEnabledFor(logging.INFO):
        log.info(line(fields))

"""The one exception to the feed URL guard: the app's own demo feeds, when the demo is on.

The demo feeds are served by riskwatch itself on loopback, which ``url_guard`` refuses as an
internal address, and rightly so for any URL a caller registers. With ``RISKWATCH_DEMO=true``
(and only then) the monitor may fetch exactly the demo feed documents under the app's own
demo base URL: same scheme, host and port, a path of ``/demo/feeds/<slug>.xml``, no query, no
credentials, no dot segments or escapes. Every other URL, including any other path on the
same host and port and every redirect hop, goes through the guard as usual.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

_DOCUMENT = re.compile(r"[a-z0-9-]{1,40}\.xml")


def _origin(parts: SplitResult) -> tuple[str, str | None, int | None]:
    scheme = parts.scheme.lower()
    return scheme, parts.hostname, parts.port or (443 if scheme == "https" else 80)


def within_demo_allowance(url: str, demo_base: str | None) -> bool:
    """True when ``url`` is one of the demo feed documents under ``demo_base`` (None: never)."""
    if not demo_base:
        return False
    try:
        parts, base = urlsplit(url), urlsplit(demo_base)
        same_origin = _origin(parts) == _origin(base)
    except ValueError:  # a malformed port
        return False
    if not same_origin or parts.username or parts.password or parts.query or parts.fragment:
        return False
    if not parts.path.startswith(base.path) or not base.path.endswith("/"):
        return False
    return _DOCUMENT.fullmatch(parts.path[len(base.path) :]) is not None

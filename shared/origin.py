"""Cross-site request forgery: a change a browser makes with our cookies must come from our own pages.

The access cookie is SameSite=Lax, but a site that is "same-site" with us (another subdomain) still gets
it sent, and a route that needs no body (complete a task, delete one) has nothing a JSON check could
catch. So every state-changing request (not GET/HEAD/OPTIONS) is checked the way browsers now allow
(Fetch Metadata, as in OWASP's CSRF cheat sheet and Go's `http.CrossOriginProtection`):

1. `Authorization: Bearer …` — not a browser acting on its own (a page cannot add the header to a
   request to another origin without a CORS preflight, which we never grant): allowed.
2. An `Origin` listed in ALLOWED_ORIGINS: allowed.
3. `Sec-Fetch-Site` present (every current browser sends it): allowed when `same-origin` or `none` (the
   person typed or bookmarked it), refused when `same-site` or `cross-site`.
4. No `Sec-Fetch-Site` (an older browser, or not a browser): allowed without `Origin` (not a browser,
   or an old browser's same-origin request), else allowed only when the Origin's `host[:port]` is the
   one the request was sent to (Host, or X-Forwarded-Host from a trusted proxy).

Requests with no cookie at all are checked too: a sign-up or login from another site is a forgery as
well (it would sign the browser in to someone else's account). Refusals are 403 in the error envelope.
"""

from collections.abc import Collection, Mapping, Sequence
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.errors import envelope
from shared.forwarded import IPNetwork, own_hosts

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CODE = "cross_site_request"
MESSAGE = (
    "This change came from another website, so it was refused. "
    "If you meant to make it, open giftflow itself and try again there."
)


def is_cross_site_change(
    method: str,
    headers: Mapping[str, str],
    hosts: Collection[str],
    allowed_origins: Collection[str],
) -> bool:
    """Whether a request must be refused as a forgery (the rules in the module docstring)."""
    if method.upper() in SAFE_METHODS:
        return False
    if headers.get("authorization", "").lower().startswith("bearer "):
        return False
    origin = headers.get("origin")
    if origin is not None and origin.strip().lower() in allowed_origins:
        return False
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site.strip().lower() not in ("same-origin", "none")
    if origin is None:
        return False
    host = urlsplit(origin.strip().lower()).netloc if origin.strip().lower() != "null" else ""
    return not host or host not in hosts


class CrossOriginGuard:
    """ASGI middleware refusing cross-site changes (see `is_cross_site_change`)."""

    def __init__(
        self, app: ASGIApp, trusted_proxies: Sequence[IPNetwork], allowed_origins: Collection[str]
    ):
        self.app = app
        self.trusted_proxies = tuple(trusted_proxies)
        self.allowed_origins = frozenset(allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_cross_site_change(
            scope["method"],
            Headers(scope=scope),
            own_hosts(scope, self.trusted_proxies),
            self.allowed_origins,
        ):
            await envelope(403, CODE, MESSAGE)(scope, receive, send)
            return
        await self.app(scope, receive, send)

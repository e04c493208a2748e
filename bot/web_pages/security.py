"""Security headers on every response, the Vietnamese error pages, and the anti-forgery check."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.web_pages.context import Handler, app_of, not_found, page
from handlers.services import web_access

log = logging.getLogger(__name__)

# No inline script or style anywhere: everything comes from /static on this server.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Sign-in links carry their token in the path: never send it on as a referrer.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000"


@web.middleware
async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Add the security headers to every response, errors included; 404s get a Vietnamese page."""
    try:
        response = await handler(request)
    except web.HTTPNotFound:
        response = not_found(request)
    except web.HTTPException as exc:
        response = web.Response(status=exc.status, text=exc.text, headers=exc.headers)
    except Exception:
        # The one catch of the web entry point: log the bug, answer with a page, never a trace.
        log.exception("web request %s %s failed", request.method, request.path)
        response = page(request, "error", status=500)
    response.headers.update(HEADERS)
    policy = app_of(request).signin
    if policy is not None and policy.secure:
        response.headers["Strict-Transport-Security"] = HSTS
    return response


async def form_of(request: web.Request) -> dict[str, str]:
    """Return a posted form's text fields (files are ignored)."""
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def forgery_checked(expected: str, form: dict[str, str]) -> bool:
    """Tell whether a form carries the expected anti-forgery token (compared in constant time)."""
    return bool(expected) and web_access.csrf_matches(expected, form.get("csrf", ""))


def refused_as_forged(request: web.Request) -> web.Response:
    """The page a POST without the right anti-forgery token gets."""
    log.info("web POST %s refused: missing or wrong anti-forgery token", request.path)
    return page(request, "forbidden", status=403)


def bad_request(request: web.Request) -> web.Response:
    """The page for a request whose values cannot be read."""
    return page(request, "bad_request", status=400)


__all__ = ["bad_request", "forgery_checked", "form_of", "headers", "not_found", "refused_as_forged"]

"""Signing in with a one-time link from the chat, and signing out.

Opening a link (GET) changes nothing: chat apps and mail scanners fetch links to preview them,
and such a fetch must not use the link up. The page posts itself (static script, with a button
for browsers without scripts); the POST uses the link and sets the session cookie.
"""

from __future__ import annotations

import logging
import secrets

from aiohttp import web

from bot.web_pages.context import SESSION_COOKIE, VIEWER, app_of, page, viewer_of
from bot.web_pages.security import forgery_checked, form_of, refused_as_forged
from handlers.services import web_access
from handlers.services.transactions import unit_of_work

log = logging.getLogger(__name__)

PRE_COOKIE = "sangkien_signin"
REFUSAL_STATUS = {"unknown": 404, "used": 410, "expired": 410, "no_role": 403}


def redirect(location: str) -> web.Response:
    """See other: the browser GETs `location`."""
    return web.Response(status=303, headers={"Location": location, "Cache-Control": "no-store"})


async def need_sign_in(request: web.Request) -> web.StreamResponse:
    """Explain how to sign in (there are no passwords: `/web` in the chat)."""
    if await viewer_of(request) is not None:
        return redirect("/tong-quan")
    return page(request, "need_signin", status=401)


async def confirm(request: web.Request) -> web.StreamResponse:
    """Show the sign-in form of a link, or why the link cannot be used."""
    app, token = app_of(request), request.match_info["token"]
    if app.signin is None or len(token) > 100:
        return page(request, "link_refused", status=404, reason="unknown")
    async with unit_of_work(app.sessions) as session:
        refusal = await web_access.check_link(session, token, app.clock.now())
    if refusal is not None:
        return page(request, "link_refused", status=REFUSAL_STATUS[refusal], reason=refusal)
    pre = secrets.token_urlsafe(24)
    response = page(request, "signin", token=token, csrf=pre)
    response.set_cookie(PRE_COOKIE, pre, max_age=int(app.signin.link_ttl.total_seconds()),
                        path="/dang-nhap", httponly=True, samesite="Strict",
                        secure=app.signin.secure)
    return response


async def sign_in(request: web.Request) -> web.StreamResponse:
    """Use the link once, open a session (ending this browser's earlier one) and go to the overview."""
    app = app_of(request)
    form = await form_of(request)
    if not forgery_checked(request.cookies.get(PRE_COOKIE, ""), form):
        return refused_as_forged(request)
    token = form.get("token", "")
    if app.signin is None or not token or len(token) > 100:
        return page(request, "link_refused", status=404, reason="unknown")
    async with unit_of_work(app.sessions) as session:
        done = await web_access.redeem_link(session, token, policy=app.signin,
                                            now=app.clock.now(),
                                            replacing=request.cookies.get(SESSION_COOKIE))
    if done.token is None:
        reason = done.refusal or "unknown"
        return page(request, "link_refused", status=REFUSAL_STATUS[reason], reason=reason)
    response = redirect("/tong-quan")
    response.set_cookie(SESSION_COOKIE, done.token, path="/", httponly=True, samesite="Lax",
                        secure=app.signin.secure,
                        max_age=int(app.signin.max_age.total_seconds()))
    response.del_cookie(PRE_COOKIE, path="/dang-nhap")
    return response


async def sign_out(request: web.Request) -> web.StreamResponse:
    """End the session (the form carries the session's anti-forgery token)."""
    app = app_of(request)
    viewer = await viewer_of(request)
    form = await form_of(request)
    if viewer is None or not forgery_checked(viewer.csrf, form):
        return refused_as_forged(request)
    async with unit_of_work(app.sessions) as session:
        await web_access.sign_out(session, request.cookies[SESSION_COOKIE], app.clock.now())
    log.info("web session of member %s ended by log-out", viewer.member_id)
    request[VIEWER] = None
    response = page(request, "signed_out")
    response.del_cookie(SESSION_COOKIE, path="/")
    return response

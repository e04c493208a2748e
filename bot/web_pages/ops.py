"""Operations: /healthz (database, scheduler, outbox depth), /metrics (Prometheus), request timing."""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.web_pages.context import Handler, app_of
from handlers.services import outgoing

log = logging.getLogger(__name__)


@web.middleware
async def timing(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Time every request into the app's latency histogram, by route (not by raw path)."""
    start, status = time.perf_counter(), 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "other"
        app_of(request).metrics.web_request(route, request.method, status,
                                            time.perf_counter() - start)


def scheduler_state(app: Any) -> str:
    """Return `running`, `stopped` (it died), or `off` (this process runs no scheduler)."""
    if app.scheduler is None:
        return "off"
    return "running" if app.scheduler.running else "stopped"


async def healthz(request: web.Request) -> web.Response:
    """Report whether the database answers, whether the scheduler runs, and the outbox depth."""
    app = app_of(request)
    body: dict[str, Any] = {"database": "ok", "scheduler": scheduler_state(app)}
    try:
        async with app.sessions() as session:  # counting the outbox proves the database answers
            body["outbox"] = await outgoing.count_by_status(session)
    except Exception as exc:  # a health check reports, it does not crash
        log.warning("health check: database unavailable (%s)", type(exc).__name__)
        return web.json_response({"database": "unavailable", "scheduler": body["scheduler"]},
                                 status=503)
    body["channels"] = sorted(app.channels)
    status = 503 if body["scheduler"] == "stopped" else 200
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})


async def metrics(request: web.Request) -> web.Response:
    """Expose the app's metrics in Prometheus' text format (outbox depth read now)."""
    app = app_of(request)
    try:
        async with app.sessions() as session:
            app.metrics.outbox_depth(await outgoing.count_by_status(session))
    except Exception as exc:  # the other metrics are still worth scraping
        log.warning("metrics: outbox depth unavailable (%s)", type(exc).__name__)
    body = generate_latest(app.metrics.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST,
                                            "Cache-Control": "no-store"})

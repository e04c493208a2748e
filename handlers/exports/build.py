"""One entry point for every report in every format: the CLI, /xuat and scheduled jobs use it."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from handlers.errors import UserError
from handlers.exports import csv, sheets
from handlers.exports.tables import Column, Kind, Report, Sheet
from handlers.services import awards, benefits, duplicates, forecast, league, reports
from handlers.services import members as member_service
from handlers.services import report_scope as scopes
from handlers.services.records import Unit, UnitLevel
from handlers.services.transactions import Session
from handlers.settings import ProgrammeSettings, ReportSettings
from handlers.texts import Renderer

log = logging.getLogger(__name__)

KINDS = ("league", "units", "awards", "benefits", "silent", "initiatives", "duplicates")
FORMATS = ("text", "csv", "xlsx", "png")
SUFFIX = {"text": ".txt", "csv": ".csv", "xlsx": ".xlsx", "png": ".png"}


@dataclass(frozen=True)
class Request:
    """What to report on: a kind, a format, and optionally a phase, a block or a unit (codes)."""

    kind: str
    fmt: str = "text"
    phase: int | None = None
    block: str | None = None
    unit: str | None = None
    not_on_portal: bool = False


@dataclass(frozen=True)
class Output:
    """A produced report: text or file bytes, with the name it should be saved under."""

    data: str | bytes
    filename: str
    rows: int


@dataclass(frozen=True)
class Context:
    """What producing a report needs besides the session."""

    programme: ProgrammeSettings
    reports: ReportSettings
    renderer: Renderer
    now: datetime
    today: date


async def _root(session: Session, req: Request) -> tuple[Unit | None, Unit | None]:
    """Return the scope's root and the unit to highlight."""
    if req.unit:
        unit = await scopes.find_unit(session, req.unit)
        if req.kind == "league" and unit.level == UnitLevel.GRASSROOTS and unit.parent_id:
            return await member_service.get_unit(session, unit.parent_id), unit
        return unit, unit
    if req.block:
        return await scopes.find_unit(session, req.block), None
    return None, None


async def produce(session: Session, req: Request, ctx: Context) -> Output:
    """Build a report and encode it in the requested format."""
    if req.kind not in KINDS or req.fmt not in FORMATS:
        raise ValueError(f"unknown report {req.kind!r} or format {req.fmt!r}")
    if req.fmt == "png" and req.kind != "league":
        raise UserError("reports/no_png")
    root, mark = await _root(session, req)
    if root is None:
        root = await scopes.top_unit(session)
    scope = await scopes.build(session, root=root, phase=await scopes.find_phase(session, req.phase),
                               now=ctx.now, today=ctx.today)
    data, report = await _data(session, req, scope, ctx, mark)
    stem = report.stem if report else f"{req.kind}-{root.code}"
    return Output(_encode(req, data, report, ctx, mark), f"{_safe(stem)}{SUFFIX[req.fmt]}",
                  report.row_count if report else 0)


async def _data(session: Session, req: Request, scope: scopes.Scope, ctx: Context,
                mark: Unit | None) -> tuple[dict[str, Any], Report | None]:
    statuses, r = ctx.programme.counting_statuses, ctx.renderer
    if req.kind in ("league", "units"):
        result = await league.league(session, scope, statuses=statuses)
        if req.kind == "league":
            return {"result": result}, sheets.league_report(
                result, r, highlight=mark.id if mark else None)
        outlook = forecast.forecast(result)
        return {"result": result, "f": outlook}, sheets.units_report(result, outlook, r)
    if req.kind == "awards":
        shortlist = await awards.shortlist(session, scope, rules=ctx.reports.awards,
                                           counting=statuses)
        return {"s": shortlist}, sheets.awards_report(shortlist, r)
    if req.kind == "benefits":
        rolled = await benefits.roll_up(session, scope, await league.tallies(session, scope, statuses))
        return {"b": rolled}, sheets.benefits_report(rolled, r)
    if req.kind == "silent":
        people = await reports.silent_members(session, phase_id=scope.phase.id, path=scope.path)
        return {"people": people, "scope": scope}, silent_report(people, scope, r)
    if req.kind == "duplicates":
        pairs = await duplicates.duplicate_pairs(session, phase_id=scope.phase.id,
                                                 block_code=req.block)
        return {"pairs": pairs, "scope": scope}, duplicates_report(pairs, scope, r)
    rows = await reports.initiative_rows(session, tz=ctx.programme.tz, phase=req.phase,
                                         unit=req.unit, block=req.block,
                                         not_on_portal=req.not_on_portal, counting=statuses)
    return {"rows": rows}, initiatives_report(rows, r)


def _encode(req: Request, data: dict[str, Any], report: Report | None, ctx: Context,
            mark: Unit | None) -> str | bytes:
    assert report is not None
    if req.fmt == "text":
        return ctx.renderer.render(f"reports/{req.kind}_text", **data,
                                   mark_id=mark.id if mark else None) + "\n"
    if req.fmt == "csv":
        return csv.to_csv(report, sheet_label=sheets.labels(ctx.renderer)["league"])
    if req.fmt == "xlsx":
        from handlers.exports import excel  # openpyxl: only loaded when a workbook is made

        return excel.workbook(report)
    if report.row_count > ctx.reports.card_max_rows:
        raise UserError("reports/too_many_rows", rows=report.row_count,
                        limit=ctx.reports.card_max_rows)
    from handlers.exports import png  # matplotlib: only loaded when a card is drawn

    return png.league_card(report, ctx.renderer.lines("reports/card_header"), report.heading)


def _safe(stem: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in stem)


def silent_report(people: list[reports.SilentMember], scope: scopes.Scope,
                  renderer: Renderer) -> Report:
    """Return the members with no initiative as one sheet."""
    cols = sheets.columns(renderer, ("code", "unit", "person", "role"))
    rows = [{"code": p.unit_code, "unit": p.unit_name, "person": p.name,
             "role": renderer.render("reports/role", role=p.role)} for p in people]
    title = renderer.render("reports/silent_title", name=scope.root.name)
    note = renderer.render("reports/silent_note", phase=scope.phase, now=scope.now,
                           count=len(people))
    return Report(stem=f"chuanop-{scope.root.code}", title=title,
                  sheets=[Sheet(sheets.tab(renderer, "silent"), title, note, cols, rows)])


def duplicates_report(pairs: list[duplicates.DuplicatePair], scope: scopes.Scope,
                      renderer: Renderer) -> Report:
    """Return near-identical initiatives across units and members as one sheet, with scores."""
    names = [f.name for f in dataclasses.fields(duplicates.DuplicatePair)]
    cols = [Column(k, label, Kind.DECIMAL if k == "score" else Kind.TEXT, 40 if k == "title" else 16)
            for k, label in zip(names, renderer.lines("reports/duplicates_header"), strict=True)]
    title = renderer.render("reports/duplicates_title", phase=scope.phase, count=len(pairs))
    return Report(stem=f"trung-lap-{scope.root.code}", title=title, sheets=[Sheet(
        sheets.tab(renderer, "duplicates"), title, "", cols, [dataclasses.asdict(p) for p in pairs])])


def initiatives_report(rows: Any, renderer: Renderer) -> Report:
    """Return initiatives as one sheet, under the same header as the CSV always had."""
    names = [f.name for f in dataclasses.fields(reports.InitiativeRow)]
    widths = {"title": 40, "content": 60, "effect": 40, "unit_name": 30, "author": 24}
    kinds = {"submitted_on": Kind.DATE, "benefit_vnd": Kind.MONEY}
    cols = [Column(k, label, kinds.get(k, Kind.TEXT), widths.get(k, 14))
            for k, label in zip(names, renderer.lines("reports/initiatives_header"), strict=True)]
    title = renderer.render("reports/initiatives_title")
    return Report(stem="sangkien", title=title, sheets=[Sheet(
        sheets.tab(renderer, "initiatives"), title, "", cols, [dataclasses.asdict(r) for r in rows])])

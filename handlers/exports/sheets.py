"""Service results turned into sheets: which columns each report has, labelled from templates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.exports.tables import Column, Kind, Report, Sheet
from handlers.services.awards import Place, Shortlist
from handlers.services.benefits import Benefits
from handlers.services.forecast import Forecast, Outlook
from handlers.services.league import League, LeagueTable
from handlers.texts import Renderer

W = {"code": 10, "name": 42, "person": 28}
KINDS = {"rank": Kind.INT, "movement": Kind.MOVEMENT, "count": Kind.INT, "target": Kind.INT,
         "ratio": Kind.PERCENT, "per_100": Kind.DECIMAL, "submitted_share": Kind.PERCENT,
         "member_count": Kind.INT, "authors": Kind.INT, "benefit_vnd": Kind.MONEY,
         "recent": Kind.INT, "pace": Kind.DECIMAL, "days_left": Kind.INT,
         "projected": Kind.INT, "projected_ratio": Kind.PERCENT, "extra_pace": Kind.DECIMAL,
         "place": Kind.INT, "unions": Kind.INT}
LEAGUE = ("rank", "movement", "code", "name", "count", "target", "ratio", "per_100",
          "submitted_share", "member_count")
OUTLOOK = ("league", "code", "name", "rank", "count", "target", "ratio", "recent", "pace",
           "days_left", "projected", "projected_ratio", "extra_pace")


def labels(renderer: Renderer, template: str = "reports/columns") -> dict[str, str]:
    """Read `key: label` lines from a template (column labels by default)."""
    pairs = (line.split(":", 1) for line in renderer.lines(template))
    return {key.strip(): label.strip() for key, label in pairs}


def tab(renderer: Renderer, key: str) -> str:
    """Return the Vietnamese name of a sheet tab."""
    return labels(renderer, "reports/sheet_names").get(key, key)


def columns(renderer: Renderer, keys: Sequence[str]) -> list[Column]:
    """Build columns for `keys`, labelled, typed and sized."""
    names = labels(renderer)
    return [Column(k, names[k], KINDS.get(k, Kind.TEXT),
                   W.get(k, max(10, len(names[k]) + 2))) for k in keys]


def league_row(row: Any) -> dict[str, Any]:
    """Return a league row as plain values."""
    return {"rank": row.rank, "movement": row.movement, "code": row.code, "name": row.name,
            "count": row.count, "target": row.target or None, "ratio": row.ratio,
            "per_100": row.per_100, "submitted_share": row.submitted_share,
            "member_count": row.member_count, "authors": row.authors,
            "benefit_vnd": row.benefit_vnd}


def league_sheet(table: LeagueTable, result: League, renderer: Renderer, *,
                 highlight: int | None = None) -> Sheet:
    """Return one block's league table as a sheet."""
    rows = [league_row(r) | {"movement_text": renderer.render("reports/movement", m=r.movement)}
            for r in table.rows]
    marked = frozenset(i for i, r in enumerate(table.rows) if r.unit_id == highlight)
    footer = {"name": renderer.render("reports/total"), "count": table.count,
              "target": table.target or None, "ratio": table.ratio, "caption": table.name,
              "summary": renderer.render("reports/card_summary", count=table.count,
                                         target=table.target, ratio=table.ratio)}
    return Sheet(name=table.code, title=renderer.render("reports/league_title", name=table.name),
                 note=renderer.render("reports/league_note", phase=result.phase,
                                      now=result.scope.now),
                 columns=columns(renderer, LEAGUE), rows=rows, highlight=marked, footer=footer)


def card_heading(result: League, renderer: Renderer) -> tuple[str, str, str]:
    """Return the three lines on top of a league card."""
    count = sum(t.count for t in result.tables)
    target = sum(t.target for t in result.tables)
    note = renderer.render("reports/card_note", phase=result.phase, now=result.scope.now,
                           count=count, target=target, ratio=count / target if target else None)
    return renderer.render("reports/card_title"), result.root.name, note


def league_report(result: League, renderer: Renderer, *, highlight: int | None = None) -> Report:
    """Return every league table of a result, one sheet per block."""
    return Report(stem=f"xephang-{result.root.code}",
                  title=renderer.render("reports/league_title", name=result.root.name),
                  sheets=[league_sheet(t, result, renderer, highlight=highlight)
                          for t in result.tables],
                  heading=card_heading(result, renderer))


def outlook_row(o: Outlook, league: str = "") -> dict[str, Any]:
    """Return an outlook as plain values."""
    return {"league": league, "code": o.code, "name": o.name, "rank": o.rank, "count": o.count,
            "target": o.target or None, "ratio": o.ratio, "recent": o.recent,
            "pace": float(o.pace), "days_left": o.days_left, "projected": round(o.projected),
            "projected_ratio": o.projected_ratio,
            "extra_pace": float(o.extra_pace) if o.extra_pace is not None else None}


def units_report(result: League, outlook: Forecast, renderer: Renderer) -> Report:
    """Return progress and forecast: every union, every block and the early warnings."""
    league_of = {r.code: t.code for t in result.tables for r in t.rows}
    data = {"phase": result.phase, "now": result.scope.now, "days_left": outlook.total.days_left,
            "window": outlook.total.window_days}
    note = renderer.render("reports/units_note", **data)

    def sheet(name: str, title: str, items: list[Outlook], keys: Sequence[str]) -> Sheet:
        return Sheet(name=tab(renderer, name), title=title, note=note, columns=columns(renderer, keys),
                     rows=[outlook_row(o, league_of.get(o.code, "")) for o in items])

    return Report(stem=f"tiendo-{result.root.code}",
                  title=renderer.render("reports/units_title", name=result.root.name), sheets=[
        sheet("units", renderer.render("reports/units_title", name=result.root.name),
              outlook.units, OUTLOOK),
        sheet("blocks", renderer.render("reports/blocks_title"), [*outlook.blocks, outlook.total],
              OUTLOOK[1:3] + OUTLOOK[4:]),
        sheet("warnings", renderer.render("reports/warnings_title"), outlook.warnings, OUTLOOK),
    ])


def place_row(p: Place, kind: str, renderer: Renderer) -> dict[str, Any]:
    """Return a shortlist place as plain values, with its written reason."""
    return {"place": p.place, "code": p.code, "name": p.name, "person": p.name,
            "unit": p.unit_name, "ratio": p.ratio, "per_100": p.per_100, "count": p.count,
            "target": p.target or None, "member_count": p.member_count or None,
            "submitted_share": p.submitted_share if kind == "collectives" else None,
            "benefit_vnd": p.benefit_vnd,
            "reason": renderer.render("awards/reason", p=p, kind=kind), "decision": ""}


def awards_report(result: Shortlist, renderer: Renderer) -> Report:
    """Return the shortlist as two sheets staff can edit into a decision."""
    scope = result.scope
    keys = {"collectives": ("place", "code", "name", "ratio", "per_100", "count", "target",
                            "member_count", "benefit_vnd", "reason", "decision"),
            "individuals": ("place", "person", "code", "unit", "count", "benefit_vnd", "reason",
                            "decision")}
    sheets = []
    for kind, places in (("collectives", result.collectives), ("individuals", result.individuals)):
        order = (result.rules.collective_order if kind == "collectives"
                 else result.rules.individual_order)
        cols = [c if c.key != "reason" else Column("reason", c.label, Kind.TEXT, 60)
                for c in columns(renderer, keys[kind])]
        sheets.append(Sheet(
            name=tab(renderer, kind), title=renderer.render("awards/title", kind=kind, name=scope.root.name),
            note=renderer.render("awards/note", phase=scope.phase, now=scope.now, order=order),
            columns=cols, rows=[place_row(p, kind, renderer) for p in places]))
    return Report(stem=f"khenthuong-{scope.root.code}", title=sheets[0].title, sheets=sheets)


def benefits_report(result: Benefits, renderer: Renderer) -> Report:
    """Return the benefit roll-up: one sheet per level, then every union."""
    scope = result.scope
    note = renderer.render("reports/benefits_note", phase=scope.phase, now=scope.now)
    keys = ("code", "name", "unions", "count", "benefit_vnd")
    levels = [*result.levels.items(), ("grassroots", result.unions)]
    sheets = [Sheet(name=tab(renderer, level), title=renderer.render("reports/benefits_level", level=level),
                    note=note, columns=columns(renderer, keys),
                    rows=[{"code": ln.code, "name": ln.name, "unions": ln.unions,
                           "count": ln.count, "benefit_vnd": ln.benefit_vnd} for ln in lines])
              for level, lines in levels]
    return Report(stem=f"lamloi-{scope.root.code}",
                  title=renderer.render("reports/benefits_title", name=scope.root.name),
                  sheets=sheets)

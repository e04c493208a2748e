"""Every template renders with sample data, within every channel's limits."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace as NS

import pytest

from handlers.texts import Renderer, format_date, format_number, format_percent, format_vnd
from handlers.types import utf16_len

LIMITS = {"telegram": 4096, "zalo": 2000, "console": 4096}


def test_numbers_percentages_dates_and_money_the_vietnamese_way() -> None:
    assert format_number(1008) == "1.008"
    assert format_number(2_400_000) == "2.400.000"
    assert format_number(3.5, 1) == "3,5"
    assert format_number(-1234) == "-1.234"
    assert format_percent(0.8634) == "86%"
    assert format_percent(0.8634, 1) == "86,3%"
    assert format_percent(None) == "–"
    assert format_date(date(2026, 11, 24)) == "24/11/2026"
    assert format_vnd(1_500_000_000) == "1,5 tỷ đồng"
    assert format_vnd(200_000_000) == "200 triệu đồng"
    assert format_vnd(15_000) == "15.000 đồng"


UNIT = NS(id=1, code="DN01", name="Công ty May Sông Hồng", member_count=120)
PHASE = NS(name="Giai đoạn 1", ends_on=date(2026, 12, 31))
INITIATIVE = NS(number="SK-000123", title="Cải tiến <kho> & bãi", status="submitted",
                created_at=datetime(2026, 11, 24, tzinfo=UTC))
DRAFT = NS(title="Tiêu đề", field="Kỹ thuật", content="Nội dung\nnhiều dòng", effect="Hiệu quả",
           benefit_vnd=200_000_000)
PROGRESS = NS(unit=UNIT, block=NS(name="Khối KDN"), phase=PHASE,
              sprint=NS(name="Đợt 35 ngày", ends_on=date(2026, 12, 19)), count=86, target=100,
              ratio=0.86, rank=2, block_size=12, days_left_phase=38, days_left_sprint=25,
              remaining=14, pace_needed=1, reached=False)
ROW = NS(rank=1, unit_id=1, code="DN01", name="Công ty May", count=5, target=10, ratio=0.5)
REPORT_ROW = NS(number="SK-1", submitted_on=date(2026, 11, 1), unit_code="DN01", author="An",
                title="T", status="approved")

LONG = "Công ty Trách nhiệm hữu hạn Một thành viên Cơ khí Chính xác Đông Anh " * 3
ROSTER_BAD = [NS(row=10_000 + i, reason=reason, data={
    "value": LONG, "phone": "0912345678", "first_row": 12_345, "name": LONG, "unit": "DN01",
    "code": "DN01-XXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "role": "admin", "max": 120,
    "level": "grassroots", "parent": "DN01", "parent_level": "grassroots",
    "column": "member_count", "number": 1, "phase": 2}) for i, reason in enumerate((
        "missing_phone", "bad_phone", "duplicate_phone", "phone_taken", "missing_name",
        "name_too_long", "missing_unit", "unknown_unit", "unknown_role", "role_too_high",
        "missing_code", "bad_code", "duplicate_code", "parent_self", "parent_required",
        "unknown_parent", "parent_row_bad", "level_not_below_parent", "cycle", "bad_level",
        "bad_count", "unknown_phase", "closed_phase", "bad_target", "not_grassroots",
        "duplicate_target", "other"))]
ROSTER_CHANGES = [NS(row=20_000 + i, action=action, key="0912345678", fields={
    "name": (LONG, LONG), "unit": ("DN01", "DN02"), "role": ("member", "officer"),
    "level": ("block", "grassroots"), "parent": (None, "KDN"), "member_count": (1200, 1300)})
    for i, action in enumerate(["add", "update"] * 10)]
ROSTER_PLAN = NS(kind="members", filename="danh-sach-doan-vien-thang-11-2026.xlsx", rows=100_000,
                 added=99_000, updated=900, unchanged=100, applied=False, bad=ROSTER_BAD,
                 changes=ROSTER_CHANGES)
ROSTER_REPORT = {"plan": ROSTER_PLAN, "bad_limit": 8, "change_limit": 5}
PHASE2 = NS(number=2, name="Giai đoạn 2", starts_on=date(2027, 1, 1), ends_on=date(2027, 5, 31),
            status="planned")
SPRINT = NS(name="Đợt cao điểm 35 ngày", starts_on=date(2026, 11, 15), ends_on=date(2026, 12, 19))
PHASE_VIEWS = [NS(phase=NS(number=n, name=f"Giai đoạn {n}", starts_on=date(2026, 10, 1),
                           ends_on=date(2026, 12, 31), status=s),
                  running=SPRINT if s == "open" else None, sprints=[SPRINT], units_with_target=30)
               for n, s in enumerate(["closed", "open", "planned", "planned"], start=1)]

SAMPLES: dict[str, dict] = {
    "common/choices": {"choices": ["Gửi", "Sửa", "Huỷ"]},
    "common/menu": {"name": "Lan"},
    "common/help": {"role": "officer"},
    "common/welcome_back": {"name": "Lan"},
    "errors/too_short": {"length": 3, "min": 5},
    "errors/too_long": {"length": 3001, "max": 3000},
    "errors/need_number": {"count": 8},
    "errors/choice_out_of_range": {"count": 3},
    "errors/not_text": {"kind": "photo"},
    "errors/unknown_command": {"name": "abc"},
    "errors/not_allowed": {"name": "duyet", "roles": ["officer", "staff", "admin"]},
    "errors/group_only": {"name": "lienket"},
    "errors/dm_only": {"name": "nhaptho"},
    "errors/unknown_unit": {"code": "XX"},
    "errors/unknown_phase": {"number": 9},
    "dialog/cancelled": {"days": 7},
    "dialog/conflict_offer": {"current": "register_initiative", "wanted": "register_initiative"},
    "dialog/conflict_choices": {"same": True},
    "dialog/resume_offer": {"current": "register_initiative", "wanted": "register_initiative"},
    "onboarding/unit_not_found": {"typed": "abc"},
    "onboarding/ask_name": {"unit_name": "Công ty May", "suggested": "An"},
    "onboarding/done": {"name": "An", "unit": UNIT, "on_roster": True, "verified": False},
    "register/confirm": {"d": DRAFT},
    "register/done": {"initiative": INITIATIVE, "unit_count": 1008},
    "register/no_open_phase": {"next_name": "Giai đoạn 2", "next_starts_on": date(2027, 1, 1)},
    "member/my_initiatives": {"initiatives": [INITIATIVE] * 20, "total": 25},
    "member/progress": {"p": PROGRESS},
    "member/league": {"block": NS(name="Khối KDN"), "phase": PHASE, "rows": [ROW] * 30,
                      "my_unit_id": 1},
    "officer/not_yet_submitted": {"unit": UNIT, "phase": PHASE, "declared": 120,
                                  "members": [NS(name="Nguyễn Văn A")] * 60},
    "officer/link_own_unit_only": {"code": "TH01"},
    "officer/linked": {"unit": UNIT},
    "reports/initiatives": {"rows": [REPORT_ROW] * 3},
    "console/other_chat": {"chat_id": "dm:x"},
    "console/unknown_unit": {"code": "XX"},
    "console/who": {"member": NS(name="Lan", role="member"), "phone": "0900000003",
                    "chat": NS(is_group=True, chat_id="group:DN01")},
    "console/identities": {"people": [NS(phone="0900000003", name="Lan", role="member")]},
    "console/banner": {"member": NS(name="Lan"), "phone": "0900000003"},
    "rosters/report": ROSTER_REPORT,
    "rosters/chat_report": ROSTER_REPORT,
    "rosters/cli_refused": {"plan": ROSTER_PLAN},
    "rosters/applied": {"plan": ROSTER_PLAN},
    "rosters/confirm": {"d": NS(added=99_000, updated=900)},
    "rosters/cancelled": {"filename": "ds.xlsx"},
    "rosters/bad_file": {"filename": "ds.xlsx"},
    "rosters/bad_file_type": {"filename": "ds.xls", "suffix": ".xls"},
    "rosters/file_missing": {"filename": "ds.xlsx"},
    "rosters/no_header": {"filename": "ds.xlsx"},
    "rosters/not_utf8": {"filename": "ds.csv"},
    "rosters/bad_header": {"filename": "ds.csv", "kind": "members", "missing": ["name"],
                           "unknown": ["ten"], "repeated": ["phone"],
                           "expected": ["phone", "name", "unit_code", "role"]},
    "rosters/unknown_kind": {"filename": "ds.csv", "kinds": {
        "units": ["code", "name"], "members": ["phone"], "targets": ["unit_code"]}},
    "rosters/template_columns": {"kind": "units"},
    "rosters/template_labels": {"kind": "units"},
    "phases/list": {"views": PHASE_VIEWS, "today": date(2026, 11, 24)},
    "phases/menu": {"views": PHASE_VIEWS, "today": date(2026, 11, 24)},
    "phases/added": {"phase": PHASE2},
    "phases/opened": {"phase": PHASE2},
    "phases/closed": {"phase": PHASE2, "next": PHASE2},
    "phases/already_open": {"phase": PHASE2},
    "phases/another_open": {"current": PHASE2, "wanted": PHASE2},
    "phases/close_first": {"current": PHASE2},
    "phases/not_open": {"phase": PHASE2},
    "phases/phase_closed": {"phase": PHASE2},
    "phases/no_targets": {"phase": PHASE2},
    "phases/no_previous_phase": {"phase": PHASE2},
    "phases/overlap": {"other": PHASE2},
    "phases/bad_dates": {"starts_on": date(2027, 1, 1), "ends_on": date(2026, 1, 1)},
    "phases/bad_number": {"number": 0},
    "phases/number_taken": {"number": 2},
    "phases/bad_days": {"max": 366},
    "phases/need_days": {"default": 35},
    "phases/same_phase": {"number": 2},
    "phases/not_grassroots": {"code": "KDN"},
    "phases/sprint_name": {"days": 35},
    "phases/sprint_outside": {"phase": PHASE2, "starts_on": date(2027, 5, 1),
                              "ends_on": date(2027, 6, 4), "days_left": 31},
    "phases/sprint_overlap": {"sprint": SPRINT},
    "phases/sprint_started": {"sprint": SPRINT, "phase": PHASE2},
    "phases/targets_copied": {"r": NS(source=PHASE2, target=PHASE2, copied=30, kept=2)},
    "phases/target_set": {"c": NS(unit=UNIT, phase=PHASE2, old=10, new=12)},
    "phases/ask_days": {"phase": PHASE2, "today": date(2026, 11, 24), "default": 35},
    "phases/ask_target": {"unit": UNIT, "phase": PHASE2, "current": 10},
    "phases/confirm_close": {"phase": PHASE2, "next": PHASE2},
    "phases/confirm_copy": {"source": PHASE2, "target": PHASE2, "count": 30, "present": 2},
    "phases/pick_target_phase": {"unit_code": "DN01"},
}

renderer = Renderer()


@pytest.mark.parametrize("name", [n for n in renderer.names() if not n.startswith("_")])
@pytest.mark.parametrize("markup", ["plain", "html"])
def test_every_template_renders_within_every_channel_limit(name: str, markup: str) -> None:
    text = renderer.render(name, markup=markup, **SAMPLES.get(name, {}))
    assert text.strip(), f"{name} rendered empty"
    assert "{{" not in text and "{%" not in text
    for channel, limit in LIMITS.items():
        assert utf16_len(text) <= limit, f"{name} is too long for {channel}"


def test_html_markup_escapes_user_text() -> None:
    text = renderer.render("register/done", markup="html", initiative=INITIATIVE, unit_count=1)
    assert "<b>SK-000123</b>" in text and "Cải tiến &lt;kho&gt; &amp; bãi" in text


def test_plain_markup_keeps_user_text_as_typed() -> None:
    text = renderer.render("register/done", initiative=INITIATIVE, unit_count=1)
    assert "Cải tiến <kho> & bãi" in text


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        renderer.render("register/done")

"""Every template renders with sample data, within every channel's limits."""

from __future__ import annotations

import re
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
           benefit_vnd=200_000_000, applied_since="2026-10-15", tech_secret=True, initiative_id=7,
           number="SK-000007", author_name="Nguyễn Văn A",
           similar=[["SK-000001", "Cải tiến kho", "DN01"]])
FULL_INITIATIVE = NS(number="SK-000123", title="Cải tiến kho", status="submitted", field="Kỹ thuật",
                     content="Nội dung", effect="Hiệu quả", benefit_vnd=5_000_000, tech_secret=False,
                     applied_since=date(2026, 10, 1), created_at=datetime(2026, 11, 24, tzinfo=UTC),
                     review_note="Cần số liệu")
PROGRESS = NS(unit=UNIT, block=NS(name="Khối KDN"), phase=PHASE,
              sprint=NS(name="Đợt 35 ngày", ends_on=date(2026, 12, 19)), count=86, target=100,
              ratio=0.86, rank=2, block_size=12, days_left_phase=38, days_left_sprint=25,
              remaining=14, pace_needed=1, reached=False)
ROW = NS(rank=1, unit_id=1, code="DN01", name="Công ty May", count=5, target=10, ratio=0.5)
REPORT_ROW = NS(number="SK-1", submitted_on=date(2026, 11, 1), unit_code="DN01", author="An",
                title="T", status="approved")

STANDING = NS(unit_id=1, code="DN01", name="Công ty May Sông Hồng", count=86, target=100,
              ratio=0.86, rank=2, block_size=12, remaining=14, pace_needed=1, reached=False,
              lagging=True, yesterday_count=3, pending_review=1008, week_count=9)
WHEN = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)
SPRINT = NS(name="Đợt thi đua cao điểm 35 ngày", starts_on=date(2026, 11, 16),
            ends_on=date(2026, 12, 20))
URGE = {"s": STANDING, "phase": PHASE, "sprint": SPRINT, "block_name": "Khối KDN",
        "days_left_phase": 38, "days_left_sprint": 26, "names": ["Nguyễn Thị Lan"] * 10,
        "more_names": 12}
BLOCK = NS(code="KDN", name="Khối Doanh nghiệp", count=420, target=500, ratio=0.84, units=12,
           week_count=35, forecast_ratio=1.02, lagging=[STANDING] * 15)
OUTCOME = NS(job="officer_digest", state="done", count=1008, left_out=3, reason=None,
             result={"reason": "no_open_phase"})
JOB = NS(name="urge_units", cron="0 8 * * 1-6", enabled=True, paused=False, next_run=WHEN,
         last_slot=WHEN, last_state="done", last_count=30, last_result={})
BROADCAST_DRAFT = NS(audience="block", code="KDN", text="Họp giao ban lúc 14:00. " * 60,
                     expected=1008, groups=1000)
COUNTDOWN = {"event": "d7", "sprint": SPRINT, "phase": PHASE, "days_left": 7}
SCHEDULE_SAMPLES: dict[str, dict] = {
    "urge/steady": URGE, "urge/lagging": URGE, "urge/reached": URGE,
    "digest/officer": {"d": NS(standing=STANDING, block_name="Khối KDN", phase_name="Giai đoạn 1",
                               day=date(2026, 11, 24), silent=40, days_left=26,
                               sprint_name="Đợt 35 ngày"), "name": "Minh"},
    "digest/district": {"blocks": [BLOCK] * 2, "phase": PHASE, "days_left": 38,
                        "today": date(2026, 11, 25)},
    "digest/league": {"block": NS(name="Khối KDN"), "phase": PHASE, "rows": [ROW] * 60,
                      "more": 3, "today": date(2026, 11, 25)},
    "countdown/unit": {**COUNTDOWN, "s": STANDING, "in_sprint": 40},
    "countdown/district": {**COUNTDOWN, "total": 1008, "blocks": [
        {"name": "Khối KDN", "in_sprint": 400, "count": 420, "target": 500,
         "top": [{"name": "Công ty May", "in_sprint": 40}] * 3}] * 2},
    "reminder/silent": {"name": "Lan", "phase": PHASE, "days_left": 38, "s": STANDING},
    "reminder/off": {"changed": True}, "reminder/on": {"changed": False},
    "jobs/run_result": {"o": OUTCOME, "at": WHEN},
    "jobs/unknown": {"name": "x", "names": ["urge_units", "officer_digest"]},
    "jobs/bad_time": {"text": "mai"},
    "jobs/left_out": {"job": "urge_units", "slot": WHEN, "count": 50, "channels": ["zalo"],
                      "units": [f"DN{n:02d}" for n in range(50)]},
    "jobs/list": {"jobs": [JOB] * 7},
    "jobs/paused": {"name": "urge_units"}, "jobs/resumed": {"name": "urge_units"},
    "broadcast/message": {"text": "Họp giao ban lúc 14:00.", "sender": "LĐLĐ huyện Đông Anh"},
    "broadcast/audience_choices": {"scheduled": 2},
    "broadcast/confirm": {"d": BROADCAST_DRAFT, "at": WHEN, "sender": "LĐLĐ huyện Đông Anh"},
    "broadcast/scheduled": {"number": 12, "expected": 1008, "at": WHEN},
    "broadcast/scheduled_label": {"b": NS(id=12, text="Họp giao ban " * 10), "at": WHEN},
    "broadcast/cancelled": {"number": 12}, "broadcast/cannot_cancel": {"number": 12},
    "broadcast/no_recipients": {"audience": "unit", "code": "DN01"},
    "broadcast/report": {"number": 12, "sent": 900, "expected": 1008, "left_out": 108,
                         "units": [f"DN{n:02d}" for n in range(60)]},
    "broadcast/bad_audience": {"text": "khoi:KDN"},
    "broadcast/time_passed": {"at": WHEN}, "broadcast/time_too_far": {"days": 90},
}
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
    "signin/link": {"url": "https://sangkien.example.org/dang-nhap/" + "x" * 43, "minutes": 10},
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
    "dialog/cancelled": {"days": 7, "dialog": "register_initiative"},
    "dialog/conflict_offer": {"current": "register_initiative", "wanted": "register_initiative"},
    "dialog/conflict_choices": {"same": True},
    "dialog/resume_offer": {"current": "register_initiative", "wanted": "register_initiative"},
    "onboarding/unit_not_found": {"typed": "abc"},
    "onboarding/ask_name": {"unit_name": "Công ty May", "suggested": "An"},
    "onboarding/done": {"name": "An", "unit": UNIT, "on_roster": True, "verified": False},
    "register/confirm": {"d": DRAFT},
    "register/done": {"initiative": INITIATIVE, "unit_count": 1008, "counted": True},
    "register/no_open_phase": {"next_name": "Giai đoạn 2", "next_starts_on": date(2027, 1, 1)},
    "member/my_initiatives": {"initiatives": [FULL_INITIATIVE] * 20, "total": 25},
    "member/progress": {"p": PROGRESS},
    "member/league": {"block": NS(name="Khối KDN"), "phase": PHASE, "rows": [ROW] * 30,
                      "my_unit_id": 1},
    "officer/not_yet_submitted": {"unit": UNIT, "phase": PHASE, "declared": 120,
                                  "members": [NS(name="Nguyễn Văn A")] * 60},
    "officer/link_own_unit_only": {"code": "TH01"},
    "officer/linked": {"unit": UNIT},
    "officer/link_already": {"unit": UNIT},
    "officer/link_refused": {"unit": UNIT, "previous": UNIT},
    "officer/link_confirm_move": {"unit": UNIT, "previous": UNIT, "word": "chuyen"},
    "officer/link_moved": {"unit": UNIT, "previous": UNIT, "told": 0},
    "officer/group_moved_notice": {"unit": UNIT, "previous": UNIT, "by": "Lê Thị Thu Hà",
                                   "role": "staff", "title": "Công đoàn May <Sông Hồng>",
                                   "on": date(2026, 11, 24)},
    "telegram/poster_not_grassroots": {"code": "KDN"},
    "telegram/qr_poster": {"unit": UNIT, "link": "https://t.me/sangkien_bot?start=DN01"},
    "reports/initiatives": {"rows": [REPORT_ROW] * 3},
    "register/ask_title": {"d": DRAFT},
    "register/ask_field": {"d": DRAFT},
    "register/ask_content": {"d": DRAFT},
    "register/ask_effect": {"d": DRAFT},
    "register/ask_benefit": {"d": DRAFT},
    "register/pick_edit": {"d": DRAFT},
    "register/ask_applied_since": {"d": DRAFT},
    "register/ask_tech_secret": {"d": DRAFT},
    "register/applied_outside_phase": {"starts_on": date(2026, 10, 1), "ends_on": date(2026, 12, 31)},
    "register/updated": {"initiative": FULL_INITIATIVE},
    "review/show": {"i": FULL_INITIATIVE, "author": NS(name="An"), "waiting": 12,
                    "newest": ["SK-000012", "SK-000011"]},
    "review/ask_reason": {"decision": "returned"},
    "review/recorded": {"initiative": FULL_INITIATIVE, "decision": "approved"},
    "review/author_notice": {"initiative": FULL_INITIATIVE, "decision": "returned",
                             "note": "Cần bổ sung số liệu"},
    "review/finished": {"decided": 3, "skipped": 1},
    "verify/show": {"identity": NS(channel="telegram", display_name="An"),
                    "member": NS(name="Nguyễn An", phone="0912345678")},
    "verify/decided": {"name": "An", "outcome": "accepted"},
    "verify/account_notice": {"outcome": "refused"},
    "verify/code_issued": {"code": "123456", "name": "An", "hours": 72},
    "verify/linked": {"name": "An"},
    "initiatives/not_yours": {"number": "SK-1"},
    "initiatives/unknown_number": {"number": "SK-1"},
    "initiatives/editable": {"initiatives": [FULL_INITIATIVE]},
    "initiatives/on_portal": {"initiatives": [FULL_INITIATIVE, FULL_INITIATIVE]},
    "entry/ask_author": {"initiative": FULL_INITIATIVE, "officer": "Minh", "direct": True},
    "entry/entered": {"initiative": FULL_INITIATIVE, "author": NS(name="An"), "reached": False,
                      "days": 3},
    "entry/show": {"initiative": FULL_INITIATIVE},
    "entry/answered": {"initiative": FULL_INITIATIVE, "right": True},
    "entry/officer_notice": {"initiative": FULL_INITIATIVE, "right": False, "author": "An"},
    "entry/not_waiting": {"number": "SK-1"},
    "entry/too_early": {"number": "SK-1", "allowed_from": datetime(2026, 11, 27, tzinfo=UTC)},
    "entry/paper_confirmed": {"initiative": FULL_INITIATIVE},
    "entry/member_not_found": {"typed": "An"},
    "entry/for_member": {"name": "An"},
    "entry/pick_member": {},
    "withdraw/ask_number": {"d": NS(number="", title="")},
    "withdraw/confirm": {"d": NS(number="SK-1", title="Cải tiến")},
    "withdraw/kept": {"number": "SK-1"},
    "withdraw/done": {"initiative": FULL_INITIATIVE},
    "errors/other_unit": {"code": "TH01"},
    "reports/duplicates_title": {"phase": NS(name="Giai đoạn 1"), "count": 2},
    "reports/duplicates_text": {"scope": NS(phase=NS(name="Giai đoạn 1")), "pairs": [NS(
        score=97.5, first="SK-1", first_unit="DN01", first_author="An", second="SK-2",
        second_unit="DN02", second_author="Bình", title="Cải tiến kho")]},
    "console/other_chat": {"chat_id": "dm:x"},
    "console/unknown_unit": {"code": "XX"},
    "console/who": {"member": NS(name="Lan", role="member"), "phone": "0900000003",
                    "chat": NS(is_group=True, chat_id="group:DN01")},
    "console/identities": {"people": [NS(phone="0900000003", name="Lan", role="member")]},
    "console/banner": {"member": NS(name="Lan"), "phone": "0900000003"},
    "register/photo_received": {"count": 2, "used_caption": True},
    "register/photo_failed": {"reason": "too_large"},
    "register/too_many_photos": {"max": 10},
    "zalo/quota_paused": {"month": date(2026, 11, 1), "spent": 3000, "quota": 3000, "held": 12,
                          "until": datetime(2026, 12, 1, 0, 0, tzinfo=UTC)},
    # Scheduled outreach (issue 6).
    **SCHEDULE_SAMPLES,
    "rosters/report": ROSTER_REPORT,
    "rosters/chat_report": ROSTER_REPORT,
    "rosters/cli_refused": {"plan": ROSTER_PLAN},
    "rosters/applied": {"plan": ROSTER_PLAN},
    "rosters/confirm": {"d": NS(added=99_000, updated=900)},
    "rosters/cancelled": {"filename": "ds.xlsx"},
    "rosters/bad_file": {"filename": "ds.xlsx"},
    "rosters/bad_file_type": {"filename": "ds.xls", "suffix": ".xls"},
    "rosters/file_missing": {"filename": "ds.xlsx"},
    "rosters/file_failed": {"filename": "ds.xlsx", "reason": "too_large"},
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

# Reports (issue 8). Chat templates get full-size samples (a block of 30 unions, 10 + 10 places);
# CLI-only text reports (reports/*_text) get short ones: they never go through a chat.
def _tally(i: int, *, name: str = "Trường Trung học cơ sở Nguyễn Văn Trỗi") -> object:
    from storage.repositories.standings import UnitTally
    return UnitTally(i, f"DN{i:02d}", name, 1, "/1/", 120, 10, 30 - i, 20 - i, 5, 50_000_000,
                     None, i + 1, i + 2 if i % 2 else i)


def _league(rows: int, tables: int = 1) -> object:
    from handlers.services.league import League, LeagueTable
    scope = NS(now=datetime(2026, 11, 24, tzinfo=UTC), root=NS(name="LĐLĐ huyện X", code="X"),
               phase=PHASE, today=date(2026, 11, 24))
    made = [LeagueTable(b, f"K{b}", f"Khối doanh nghiệp {b}", [_tally(i) for i in range(rows)])
            for b in range(tables)]
    return League(root=scope.root, phase=PHASE, scope=scope, tables=made)


def _outlook(i: int) -> object:
    from handlers.services.forecast import Outlook
    return Outlook(f"DN{i:02d}", "Công ty TNHH Một thành viên", 10 + i, 40, 3, 7, 38, rank=i)


def _places(kind: str) -> list:
    from handlers.services.awards import Place
    return [Place(i, "TH01-H01-0001", "Trường Trung học cơ sở Nguyễn Văn Trỗi xã Đông Hội",
                  "Trường THCS Nguyễn Văn Trỗi", 120, 80, 400, 50, 1_500_000_000,
                  datetime(2026, 11, 1, tzinfo=UTC), "per_100_members", "Trường Mầm non Hoa Sen")
            for i in range(1, 11)]


def _shortlist() -> object:
    from handlers.settings import AwardRules
    scope = NS(now=datetime(2026, 11, 24, tzinfo=UTC), root=NS(name="LĐLĐ huyện X", code="X"),
               phase=PHASE)
    return NS(scope=scope, rules=AwardRules(), statuses=("submitted",),
              collectives=_places("collectives"), individuals=_places("individuals"))


def _forecast() -> object:
    from handlers.services.forecast import Outlook
    return NS(total=Outlook("X", "LĐLĐ huyện X", 100, 400, 21, 7, 38), blocks=[_outlook(1)],
              units=[_outlook(i) for i in range(3)], warnings=[_outlook(2)])


LEAGUE_BIG = _league(30)
SCOPE = LEAGUE_BIG.scope
SAMPLES.update({
    "member/league": {"table": LEAGUE_BIG.tables[0], "phase": PHASE, "now": SCOPE.now,
                      "my_unit_id": 20,
                      "shown": [(i == 10, r) for i, r in enumerate(LEAGUE_BIG.tables[0].rows)
                                if i < 10 or 18 <= i <= 22]},
    "member/league_more": {"shown": 3, "total": 705},
    "awards/chat": {"s": _shortlist()},
    "awards/title": {"kind": "collectives", "name": "LĐLĐ huyện X"},
    "awards/note": {"phase": PHASE, "now": SCOPE.now, "order": ("percent_of_target", "count")},
    "awards/reason": {"p": _places("collectives")[0], "kind": "collectives"},
    "reports/export_as_text": {"result": _league(200, 6), "tables": [
        (t, [(i == 10, r) for i, r in enumerate(t.rows[:13])]) for t in _league(200, 4).tables]},
    "reports/export_caption": {"kind": "league", "name": "LĐLĐ huyện X"},
    "reports/export_ready": {"caption": "Bảng xếp hạng", "link": "https://x/cards/1/a/b.png",
                             "hours": 72},
    "reports/export_link": {"caption": "Bảng xếp hạng", "link": "https://x/cards/1/a/b.xlsx",
                            "hours": 72},
    "reports/league_title": {"name": "Khối KDN"},
    "reports/league_note": {"phase": PHASE, "now": SCOPE.now},
    "reports/card_note": {"phase": PHASE, "now": SCOPE.now, "count": 1008, "target": 1200,
                          "ratio": 0.84},
    "reports/card_summary": {"count": 1008, "target": 1200, "ratio": 0.84},
    "reports/movement": {"m": -2},
    "reports/units_title": {"name": "LĐLĐ huyện X"},
    "reports/units_note": {"phase": PHASE, "now": SCOPE.now, "days_left": 38, "window": 7},
    "reports/benefits_title": {"name": "LĐLĐ huyện X"},
    "reports/benefits_level": {"level": "district"},
    "reports/benefits_note": {"phase": PHASE, "now": SCOPE.now},
    "reports/silent_title": {"name": "LĐLĐ huyện X"},
    "reports/silent_note": {"phase": PHASE, "now": SCOPE.now, "count": 12},
    "reports/too_many_rows": {"rows": 126_000, "limit": 60},
    "reports/role": {"role": "officer"},
    "reports/league_text": {"result": _league(3, 2), "mark_id": 1},
    "reports/units_text": {"result": _league(3), "f": _forecast()},
    "reports/awards_text": {"s": NS(**{**_shortlist().__dict__,
                                       "collectives": _places("c")[:2],
                                       "individuals": _places("i")[:2]})},
    "reports/benefits_text": {"b": NS(
        scope=SCOPE, total=NS(name="X", unit_id=1, benefit_vnd=10**9, count=9),
        levels={"block": [NS(code="K", name="Khối", unit_id=2, benefit_vnd=10**9, count=9)]},
        unions=[NS(code="DN01", name="Công ty", benefit_vnd=10**9, count=9)])},
    "reports/silent_text": {"scope": SCOPE, "people": [
        NS(unit_code="DN01", name="Nguyễn Văn A", role="member")] * 3},
    "reports/initiatives_text": {"rows": [REPORT_ROW] * 3},
    "console/attachment": {"type": "photo", "path": "data/exports/x.png", "filename": "x.png"},
})

renderer = Renderer()


# web/ holds the web page's HTML templates: tests/integration/test_web_pages.py renders them.
@pytest.mark.parametrize("name", [n for n in renderer.names() if not n.startswith(("_", "web/"))])
@pytest.mark.parametrize("markup", ["plain", "html"])
def test_every_template_renders_within_every_channel_limit(name: str, markup: str) -> None:
    text = renderer.render(name, markup=markup, **SAMPLES.get(name, {}))
    assert text.strip(), f"{name} rendered empty"
    assert "{{" not in text and "{%" not in text
    for channel, limit in LIMITS.items():
        assert utf16_len(text) <= limit, f"{name} is too long for {channel}"


def test_html_markup_escapes_user_text() -> None:
    text = renderer.render("register/done", markup="html", initiative=INITIATIVE, unit_count=1,
                           counted=True)
    assert "<b>SK-000123</b>" in text and "Cải tiến &lt;kho&gt; &amp; bãi" in text


def test_plain_markup_keeps_user_text_as_typed() -> None:
    text = renderer.render("register/done", initiative=INITIATIVE, unit_count=1, counted=False)
    assert "Cải tiến <kho> & bãi" in text


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    from jinja2 import UndefinedError

    with pytest.raises(UndefinedError):
        renderer.render("register/done")


def test_no_line_with_text_ends_in_a_tag_that_eats_its_line_break() -> None:
    # trim_blocks removes the newline after any block tag; a line of text that ends with one
    # (`… {% endif %}`) would be glued to the next line. `+%}` keeps the newline.
    glued = []
    for path in renderer.root.rglob("*.j2"):
        for number, line in enumerate(path.read_text().split("\n"), 1):
            text_outside_tags = re.sub(r"\{[%#].*?[%#]\}", "", line).strip()
            if text_outside_tags and line.rstrip().endswith("%}") and not line.rstrip().endswith("+%}"):
                glued.append(f"{path.relative_to(renderer.root)}:{number}")
    assert not glued


def test_a_conditional_sentence_keeps_its_line() -> None:
    text = renderer.render("onboarding/done", name="An", unit=UNIT, on_roster=True, verified=False)
    assert "danh sách của đơn vị.\nTài khoản sẽ" in text

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

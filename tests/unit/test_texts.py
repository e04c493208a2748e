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
    "telegram/poster_not_grassroots": {"code": "KDN"},
    "telegram/qr_poster": {"unit": UNIT, "link": "https://t.me/sangkien_bot?start=DN01"},
    "reports/initiatives": {"rows": [REPORT_ROW] * 3},
    "console/other_chat": {"chat_id": "dm:x"},
    "console/unknown_unit": {"code": "XX"},
    "console/who": {"member": NS(name="Lan", role="member"), "phone": "0900000003",
                    "chat": NS(is_group=True, chat_id="group:DN01")},
    "console/identities": {"people": [NS(phone="0900000003", name="Lan", role="member")]},
    "console/banner": {"member": NS(name="Lan"), "phone": "0900000003"},
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

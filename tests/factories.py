"""A small, fixed federation for tests, built through the same models the app uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bot.app import App
from handlers.textnorm import fold
from storage.db import unit_of_work
from storage.models import (
    Identity,
    Initiative,
    Member,
    Phase,
    PhaseStatus,
    Role,
    Sprint,
    Target,
    Unit,
    UnitLevel,
)
from storage.repositories import units

UNITS = {
    "KDN": [("DN01", "Công ty May Sông Hồng", 120, 10), ("DN02", "Công ty Cơ khí Đông Anh", 60, 5)],
    "KHC": [("TH01", "Trường Tiểu học số 1 Đông Anh", 40, 8), ("TH02", "Trường THCS Vân Hà", 35, 8)],
}
MEMBERS = [
    ("0900000001", "Lê Thị Thu Hà", Role.STAFF, "LDLD-T"),
    ("0900000002", "Trần Văn Minh", Role.OFFICER, "DN01"),
    ("0900000003", "Nguyễn Thị Lan", Role.MEMBER, "DN01"),
    ("0900000004", "Phạm Quốc Huy", Role.MEMBER, "TH01"),
    ("0900000005", "Đỗ Văn Nam", Role.MEMBER, "DN01"),
    ("0900000006", "Vũ Thị Mai", Role.MEMBER, "DN02"),
    ("0900000007", "Hoàng Văn Sơn", Role.OFFICER, "TH01"),
    ("0900000008", "Bùi Thị Quản", Role.ADMIN, "LDLD-T"),
]


@dataclass
class Federation:
    """What the factory built, by code and by phone."""

    units: dict[str, Unit] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    phase: Phase | None = None
    next_phase: Phase | None = None
    sprint: Sprint | None = None


async def build_federation(app: App, *, today: date) -> Federation:
    """Create district LDLD-T, blocks KDN/KHC, four unions, seven members, phase 1 open."""
    fed = Federation()
    async with unit_of_work(app.sessions) as session:
        district = await units.add(session, Unit(code="LDLD-T", name="LĐLĐ huyện Thử Nghiệm",
                                                 name_folded=fold("LĐLĐ huyện Thử Nghiệm"),
                                                 level=UnitLevel.DISTRICT))
        fed.units[district.code] = district
        fed.phase = Phase(number=1, name="Giai đoạn 1", starts_on=today - timedelta(days=54),
                          ends_on=today + timedelta(days=37), status=PhaseStatus.OPEN)
        fed.next_phase = Phase(number=2, name="Giai đoạn 2", starts_on=today + timedelta(days=38),
                               ends_on=today + timedelta(days=188))
        session.add_all([fed.phase, fed.next_phase])
        await session.flush()
        fed.sprint = Sprint(phase_id=fed.phase.id, name="Đợt cao điểm 35 ngày",
                            starts_on=today - timedelta(days=9), ends_on=today + timedelta(days=25))
        session.add(fed.sprint)
        for block_code, rows in UNITS.items():
            block = await units.add(session, Unit(code=block_code, name=f"Khối {block_code}",
                                                  name_folded=fold(f"Khối {block_code}"),
                                                  level=UnitLevel.BLOCK), district)
            fed.units[block_code] = block
            for code, name, size, target in rows:
                unit = await units.add(session, Unit(code=code, name=name, name_folded=fold(name),
                                                     level=UnitLevel.GRASSROOTS, member_count=size),
                                       block)
                fed.units[code] = unit
                session.add(Target(unit_id=unit.id, phase_id=fed.phase.id, target=target))
        for phone, name, role, code in MEMBERS:
            member = Member(unit_id=fed.units[code].id, name=name, phone=phone, role=role)
            session.add(member)
            fed.members[phone] = member
        await session.flush()
    return fed


async def add_initiatives(app: App, fed: Federation, phone: str, count: int, *,
                          at: datetime | None = None, status: str = "submitted",
                          title: str | None = None) -> list[str]:
    """Give a member `count` submitted initiatives in phase 1."""
    member = fed.members[phone]
    assert fed.phase is not None
    at = at or datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    numbers = []
    async with unit_of_work(app.sessions) as session:
        for index in range(count):
            text = title or f"Sáng kiến thử số {index + 1} của {member.name}"
            row = Initiative(title=text, title_folded=fold(text), field="Kỹ thuật",
                             content="Nội dung thử nghiệm đủ dài để hợp lệ.", effect="Hiệu quả thử.",
                             status=status, member_id=member.id, unit_id=member.unit_id,
                             phase_id=fed.phase.id, created_at=at, updated_at=at)
            session.add(row)
            await session.flush()
            row.number = f"SK-{row.id:06d}"
            numbers.append(row.number)
    return numbers


async def link(app: App, fed: Federation, phone: str, *, channel: str, user_id: str,
               verified: bool = True) -> None:
    """Link a chat account to a roster member."""
    async with unit_of_work(app.sessions) as session:
        session.add(Identity(channel=channel, user_id=user_id, member_id=fed.members[phone].id,
                             verified=verified))

"""`sangkien web link PHONE`: the operators' way to a sign-in link."""

from __future__ import annotations

import re

from tests.e2e.conftest import Cli


def test_web_link_prints_a_one_time_link_for_an_officer(cli: Cli) -> None:
    done = cli.run("web", "link", "0900000002")
    assert done.returncode == 0, done.stderr
    assert re.search(r"http://127\.0\.0\.1:0/dang-nhap/[A-Za-z0-9_-]{43}", done.stdout)
    assert "một lần, trong 10 phút" in done.stdout


def test_web_link_refuses_a_member_and_an_unknown_phone(cli: Cli) -> None:
    member = cli.run("web", "link", "0900000003")
    assert member.returncode == 2 and "cán bộ" in member.stderr
    unknown = cli.run("web", "link", "0999999999")
    assert unknown.returncode == 2 and "Không có ai" in unknown.stderr
    bad = cli.run("web", "link", "12")
    assert bad.returncode == 2

from __future__ import annotations

from dataclasses import dataclass, field

from handlers.dialogs.engine import Dialog


@dataclass
class ListDraft:
    version: int = 1
    items: list[str] = field(default_factory=list)


def test_a_loaded_draft_shares_nothing_with_the_stored_json() -> None:
    dialog = Dialog(name="t", draft_type=ListDraft, first_step="a", handlers={}, prompt=None)  # type: ignore[arg-type]
    stored = {"version": 1, "items": ["a"], "gone": 1}
    draft = dialog.load(stored)
    draft.items.append("b")
    assert stored["items"] == ["a"]
    assert dialog.dump(draft) == {"version": 1, "items": ["a", "b"]}

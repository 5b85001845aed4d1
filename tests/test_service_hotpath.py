"""The service's hot path: what a login, a tick and a save cost it, and that the shortcuts taken
for speed keep the behaviour (a wrong code still costs a full check and fails)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.domain import sittings as sittings_mod
from kiosk.service.candidate import CandidateRoom
from tests.session_helpers import Setup, import_roster, make_setup, new_sitting


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return make_setup(tmp_path)


@pytest.fixture
def kdf_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = sittings_mod._kdf

    def counting(secret: str, salt: bytes, kdf: str = sittings_mod.KDF_NAME) -> bytes:
        calls.append(secret)
        return real(secret, salt, kdf)

    monkeypatch.setattr(sittings_mod, "_kdf", counting)
    return calls


def test_a_room_code_is_derived_once_and_a_wrong_code_still_costs_a_full_check(
        setup: Setup, kdf_calls: list[str]) -> None:
    ledger = setup.centre.ledger()
    try:
        room = CandidateRoom(setup.centre, ledger)
        found = [room.find(cid, setup.code) for cid in ("C1", "c2", "C3")]
        assert [f[1] for f in found] == ["C1", "C2", "C3"]
        assert all(f[0].id == setup.sitting for f in found)
        assert len(kdf_calls) == 1  # the room's one secret, verified once
        # the same code typed differently (lower case, no dash) is the same code
        assert room.find("C1", setup.code.lower().replace("-", ""))[1] == "C1"
        assert len(kdf_calls) == 1
        # a wrong code, an unknown candidate: the full scrypt check, and no match
        assert room.find("C2", "AAAA-BBBB") is None
        assert len(kdf_calls) == 2
        assert room.find("NOBODY", setup.code) is None
        assert len(kdf_calls) == 3
    finally:
        ledger.close()


def test_the_login_index_follows_new_registrations_and_sittings(
        setup: Setup, tmp_path: Path) -> None:
    ledger = setup.centre.ledger()
    try:
        room = CandidateRoom(setup.centre, ledger)
        assert room.find("C1", setup.code)[0].id == setup.sitting
        assert room.find("C4", setup.code) is None
        import_roster(setup.centre, "id;name;extra_minutes\nC4;Új Jelölt;\n")
        exam = room.find("C1", setup.code)[0].exam
        sitting, code = new_sitting(setup.centre, exam, candidates="C4")
        found = room.find("C4", code)
        assert found is not None and found[0].id == sitting and found[2] == "Új Jelölt"
        # the first room's code does not open the second room, cached or not
        assert room.find("C4", setup.code) is None
        # a closed sitting is seen as closed by the index (its candidates no longer get in)
        from kiosk.domain.sittings import CLOSED

        with setup.centre.ledger() as w:
            w.append(CLOSED, {"sitting": sitting}, actor="admin")
        assert room.find("C4", code) is None
    finally:
        ledger.close()

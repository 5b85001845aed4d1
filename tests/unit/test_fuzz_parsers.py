"""Hypothesis over every parser of untrusted input (tests/support/fuzz_targets.py): never a traceback,
always a clear error. 50 examples each here; `python benchmarks/fuzz.py` runs 10,000."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.errors import KioskError
from tests.support.fuzz_targets import TARGETS, Target, check

CI_EXAMPLES = 50


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_parser_never_raises_anything_but_a_clear_error(target: Target) -> None:
    assert target.available(), f"{target.name}: its module is missing"

    # Derandomised: CI sees the same inputs on every run (benchmarks/fuzz.py explores at random).
    @settings(max_examples=CI_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: Any) -> None:
        check(target, data.draw(target.strategy()))

    run()


def test_the_harness_notices_a_traceback() -> None:
    """A parser that lets a ValueError out must fail the fuzz test; a KioskError must not."""

    def bad(_: Any) -> None:
        raise ValueError("boom")

    def clear(_: Any) -> None:
        raise KioskError("file.toml:3: a clear reason")

    assert check(Target("clear", lambda: st.just(""), clear), "") == "error"
    with pytest.raises(ValueError):
        check(Target("bad", lambda: st.just(""), bad), "")


def test_seeds_are_valid_so_mutations_start_deep() -> None:
    """The unmutated seeds parse cleanly: the fuzzing starts from inputs that get far."""
    from tests.support import fuzz_targets as F

    assert not F._bank(F.BANK).errors
    assert not F._exam(F.EXAM).errors
    assert not F._roster(F.ROSTER.encode()).errors
    assert F._gift(F.GIFT).items
    assert F._aiken(F.AIKEN).items
    assert F._qti(F.QTI).items
    assert F._qti_package(F.QTI_PACKAGE).items


def test_qti_package_with_a_lying_local_header_is_a_clear_error() -> None:
    from tests.support import fuzz_targets as F

    data = bytearray(F.QTI_PACKAGE)
    second = data.index(b"PK\x03\x04", 4)
    data[second + 29] = 1  # extra-field length 256 on the item's local header
    # Per-member isolation (issue 16): the unreadable member is reported by name, one line,
    # and nothing half-read is imported.
    result = F._qti_package(bytes(data))
    assert not result.items
    assert len(result.errors) == 1 and "item.xml: cannot read from the package" in \
        result.errors[0] and "\n" not in result.errors[0]


def test_bundle_with_an_unsupported_zip_version_is_a_clear_report(tmp_path: Any) -> None:
    from kiosk import sealed
    from tests.support import fuzz_targets as F

    data = bytearray(F._bundle_seed())
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 84  # "version needed to extract" of the first member: 8.4
    path = tmp_path / "bundle.zip"
    path.write_bytes(bytes(data))
    # Unreadable as a zip is "unusable input" (one line, exit 2); readable but wrong is a report.
    try:
        report = sealed.verify_bundle(path)
    except KioskError as exc:
        assert "\n" not in str(exc) and "zip" in str(exc)
    else:
        assert not report.ok

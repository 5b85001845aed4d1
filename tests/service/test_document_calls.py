"""`kiosk minutes` and `kiosk documents minutes|result-sheet` as clients of the centre service
(issue 12): the service collects the minutes and computes the result by its one result path
(`documents.*` use cases); the command typesets the answer and writes the file as its own user.

Tried: a staff member under another uid who cannot read the centre directory prints the
minutes (text and PDF) and a result sheet through the socket, and the pages are rendered and
looked at; a candidate's token on the document calls (refused and recorded); an invigilator
asking for a result sheet (not theirs: results are the office's and the examiners'); a foreign
uid without a login; unknown sitting, a candidate without a result and a candidate with results
in several exams, each one line with a non-zero exit and no file."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk.client import Client, RemoteCalls
from kiosk.errors import KioskError
from kiosk.service.usecases import LocalCalls
from tests.service.test_staff_calls import NOBODY, kiosk_as
from tests.support import world
from tests.support.export_helpers import STAFF_PASSWORD, Sat, centre_with_results, submit_attempt
from tests.support.service_helpers import add_user, running_service, socket_dir
from tests.support.session_helpers import BANK, ONE_PART
from tests.unit.test_result_sheet import check_layout, pages

CENTRE = "Győri Műszaki Vizsgaközpont"
INVIGILATOR, INVIGILATOR_PASSWORD = "ildi", "ildi-password-1"
EXAMINER = "vizsga"  # centre_with_results' examiner, password STAFF_PASSWORD
SECOND = "masodik"


@pytest.fixture(scope="module")
def sat(tmp_path_factory: pytest.TempPathFactory) -> Sat:
    """C1 and C2 submitted in exam "one"; C1 also in a second exam; an invigilator account."""
    tmp = tmp_path_factory.mktemp("doc-calls")
    s = centre_with_results(tmp, CENTRE)
    add_user(s.centre.path, INVIGILATOR, "invigilator", INVIGILATOR_PASSWORD)
    text = (ONE_PART.format(self_start="true").replace('id = "one"', f'id = "{SECOND}"')
            .replace("Egyrészes vizsga", "Második vizsga"))
    exam = world.load_exam(s.centre, tmp, text, {"bank.toml": BANK}, exam_name="second.toml")
    _, code = world.new_sitting(s.centre, exam)
    submit_attempt(s.centre, code, "C1")
    return s


def pdf_text(path: Path) -> str:
    raw = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    return " ".join(raw.split())


def open_dir() -> Path:
    """Where another uid may write its PDFs (pytest's tmp_path is 0700 to root)."""
    d = Path(tempfile.mkdtemp(prefix="kiosk-docs-", dir="/tmp"))
    d.chmod(0o777)
    return d


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run commands as another uid")
def test_staff_under_another_uid_print_the_minutes_and_a_result_sheet_through_the_socket(
        sat: Sat, tmp_path: Path) -> None:
    centre = sat.centre.path
    centre.chmod(0o700)
    out = open_dir()
    sock = socket_dir() / "service.sock"
    minutes, sheet = out / "minutes.pdf", out / "C2.pdf"
    common = ("--centre", str(centre))

    def as_invigilator(*args: str) -> tuple[int, str, str]:
        run = kiosk_as(NOBODY, *args, "--user", INVIGILATOR, *common, sock=sock,
                       password=INVIGILATOR_PASSWORD)
        return run.returncode, run.stdout, run.stderr

    # Without a service, an account that cannot open the centre is told so in one line.
    code, _, err = as_invigilator("documents", "minutes", sat.sitting, "--out", str(minutes))
    assert code != 0 and "no centre service listens" in err and "Traceback" not in err
    assert not minutes.exists()
    with running_service(centre, sock=sock):
        code, stdout, err = as_invigilator("documents", "minutes", sat.sitting,
                                           "--out", str(minutes))
        assert code == 0, err
        assert stdout == f"Minutes of {sat.sitting} written to {minutes}\n"
        code, stdout, err = as_invigilator("minutes", sat.sitting, "--lang", "en")
        assert code == 0, err
        assert stdout.startswith(f"MINUTES of sitting {sat.sitting}")
        assert sat.receipts["C2"] in stdout
        code, stdout, err = as_invigilator("minutes", sat.sitting, "--pdf",
                                           str(out / "m2.pdf"))
        assert code == 0 and stdout.startswith(f"Minutes of {sat.sitting} written to"), err
        run = kiosk_as(NOBODY, "documents", "result-sheet", "--candidate", "C2", "--out",
                       str(sheet), "--user", EXAMINER, *common, sock=sock,
                       password=STAFF_PASSWORD)
        assert run.returncode == 0, run.stderr
        assert run.stdout == f"Result sheet of C2 (one) written to {sheet}\n"
        # A result sheet is not the room's staff's to print.
        code, _, err = as_invigilator("documents", "result-sheet", "--candidate", "C2",
                                      "--out", str(out / "no.pdf"))
        assert code != 0 and len(err.strip().splitlines()) == 1, err
        assert "documents.result_sheet: this needs examiner or admin role" in err
        # A foreign uid with no login is not the operator.
        anon = kiosk_as(NOBODY, "minutes", sat.sitting, *common, sock=sock)
        assert anon.returncode != 0 and "log in as staff" in anon.stderr
        assert len(anon.stderr.strip().splitlines()) == 1, anon.stderr
    assert not (out / "no.pdf").exists()
    # Written by the staff member's own process, into their own directory.
    assert minutes.stat().st_uid == NOBODY and sheet.stat().st_uid == NOBODY
    check_layout(pages(minutes, tmp_path))
    check_layout(pages(sheet, tmp_path))
    text = pdf_text(minutes)
    for exact in ("JEGYZŐKÖNYV", CENTRE, "Nagy Gergő", sat.receipts["C1"], sat.receipts["C2"],
                  "Aláírások"):
        assert exact in text, exact
    text = pdf_text(sheet)
    for exact in ("EREDMÉNYLAP", CENTRE, "Nagy Gergő", "Egyrészes vizsga", "2 / 3",
                  sat.receipts["C2"], sat.fingerprint, "Vizsgáztató"):
        assert exact in text, exact


def test_a_candidate_token_and_a_role_without_the_right_are_refused(sat: Sat) -> None:
    local = LocalCalls(sat.centre)
    try:
        embedded = local.call("documents.result_sheet", candidate="C2")
    finally:
        local.close()
    sock = socket_dir() / "service.sock"
    with running_service(sat.centre.path, sock=sock):
        cand = Client(sock)
        cand.token = cand.request("POST", "/v1/candidate/login",
                                  {"candidate": "C3", "code": sat.code, "seat": "PC-C3"})["token"]
        for name, args in (("documents.minutes", {"sitting": sat.sitting}),
                           ("documents.result_sheet", {"candidate": "C2"})):
            with pytest.raises(KioskError, match="refused"):
                cand.request("POST", f"/v1/call/{name}", args)
        room = RemoteCalls(sock)
        room.login(INVIGILATOR, INVIGILATOR_PASSWORD)
        with pytest.raises(KioskError, match="documents.result_sheet: this needs examiner or "
                                             "admin role"):
            room.call("documents.result_sheet", candidate="C2")
        with pytest.raises(KioskError, match="sitting: expected text, got list"):
            room.call("documents.minutes", sitting=[sat.sitting])
        reply = room.call("documents.minutes", sitting=sat.sitting, language="en")
        assert reply["language"] == "en" and reply["text"].startswith("MINUTES of sitting")
        office = RemoteCalls(sock)
        office.login(EXAMINER, STAFF_PASSWORD)
        # The service's answer is the embedded path's: one function, one result path.
        assert office.call("documents.result_sheet", candidate="C2") == embedded
        assert embedded["result"]["points"] == 2 and embedded["receipt"] == sat.receipts["C2"]
        cand.close(), room.close(), office.close()
    with sat.centre.reader() as r:
        refused = [e.body.get("what", "") for e in r.events(kind="request_refused")]
    assert any("staff call documents.minutes" in what for what in refused)
    assert any("staff call documents.result_sheet" in what for what in refused)


def test_errors_through_the_service_are_one_line_and_write_nothing(sat: Sat) -> None:
    out = open_dir()
    sock = socket_dir() / "service.sock"
    common = ("--centre", str(sat.centre.path))
    with running_service(sat.centre.path, sock=sock):
        for args, message in (
                (["minutes", "S-missing"],
                 "kiosk: no sitting 'S-missing' (kiosk sitting list shows them)"),
                (["documents", "minutes", "S-missing", "--out", str(out / "a.pdf")],
                 "kiosk: no sitting 'S-missing' (kiosk sitting list shows them)"),
                (["documents", "result-sheet", "--candidate", "NOPE", "--out",
                  str(out / "b.pdf")],
                 "kiosk: candidate 'NOPE' has no result (a result needs a submitted attempt "
                 "or an oral mark)"),
                (["documents", "result-sheet", "--candidate", "C1", "--out",
                  str(out / "c.pdf")],
                 f"kiosk: candidate 'C1' has results in several exams (one, {SECOND}): "
                 "choose one with --exam")):
            run = kiosk_as(None, *args, *common, sock=sock)
            assert run.returncode == 2, (args, run.stderr)
            assert run.stderr.strip() == message, run.stderr
        run = kiosk_as(None, "documents", "result-sheet", "--candidate", "C1", "--exam",
                       SECOND, "--out", str(out / "c.pdf"), *common, sock=sock)
        assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["c.pdf"]
    assert "Második vizsga" in pdf_text(out / "c.pdf")

"""The API's routes, grouped by room. Each route states who may call it: a candidate token
(bound to one attempt), a staff role, or nobody in particular (health, a seat's exit PIN)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aiohttp import web

from kiosk.errors import KioskError
from kiosk.service.candidate import Refused, paper_json, paper_media, view_json

if TYPE_CHECKING:
    from kiosk.service.server import Service


def _str(data: dict[str, Any], key: str, *, limit: int = 256, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise KioskError(f"{key}: a string is required")
    return value[:limit]


def add_routes(app: web.Application, svc: Service) -> None:
    r = web.RouteTableDef()
    # One function per room: what a terminal, a staff member or anyone may call.
    for room in (_health, _candidate_login, _candidate_answering, _candidate_changes,
                 _candidate_after, _candidate_review, _attempts, _staff_and_seat):
        room(r, svc)
    app.add_routes(r)


def _health(r: web.RouteTableDef, svc: Service) -> None:
    """Is the service up (and which centre, in which language)."""
    @r.get("/v1/health")
    async def health(request: web.Request) -> web.Response:
        # The language lets a client that cannot read centre.toml (the console under its own
        # account) speak the centre's language from its first screen.
        from kiosk.i18n import centre_language

        return web.json_response({"ok": True, "centre": svc.centre.name, "pid": _pid(),
                                  "language": centre_language(svc.centre.config())})


def _candidate_login(r: web.RouteTableDef, svc: Service) -> None:
    """A terminal logs its candidate in (access code; throttled)."""
    from kiosk.service.server import peer_of

    # -- candidate room ----------------------------------------------------------------------

    @r.post("/v1/candidate/login")
    async def login(request: web.Request) -> web.Response:
        data = await svc.body(request)
        peer = peer_of(request)
        cid, code = _str(data, "candidate"), _str(data, "code")
        seat = _str(data, "seat", limit=64, default="seat")
        language = data.get("language") if isinstance(data.get("language"), str) else None

        svc.room.check_throttle(cid, seat)
        # The code check (scrypt) runs beside the writer, not on it.
        found = await asyncio.get_running_loop().run_in_executor(
            None, svc.room.find, cid, code)

        def job() -> dict[str, Any]:
            s = svc.room.login(cid, code, seat=seat, language=language, peer=peer, found=found,
                               checked=True)
            return {"token": s.token, "paper": paper_json(s), "view": view_json(s.view())}

        return web.json_response(await svc.writer.run(job))


def _candidate_answering(r: web.RouteTableDef, svc: Service) -> None:
    """What a terminal reads of its own attempt: time, view, paper, media."""

    async def call(request: web.Request, fn: Any) -> web.Response:
        return web.json_response(await svc.candidate_call(request, fn))

    @r.post("/v1/candidate/tick")
    async def tick(request: web.Request) -> web.Response:
        return await call(request, lambda s: {"view": view_json(s.tick())})

    @r.get("/v1/candidate/view")
    async def view(request: web.Request) -> web.Response:
        return await call(request, lambda s: {"view": view_json(s.view())})

    @r.get("/v1/candidate/paper")
    async def paper(request: web.Request) -> web.Response:
        return await call(request, lambda s: {"paper": paper_json(s), "view": view_json(s.view())})

    @r.get("/v1/candidate/media/{sha}")
    async def media_file(request: web.Request) -> web.Response:
        # An attachment of an item on this candidate's own paper, by its hash: a terminal
        # holds no exam store, so it asks for what its paper shows (and for nothing else).
        sha = request.match_info["sha"]
        return await call(request, lambda s: {"data": paper_media(s, sha)})

def _candidate_changes(r: web.RouteTableDef, svc: Service) -> None:
    """What the candidate does to their own attempt: start, answer, flag, move, submit a part."""

    async def call(request: web.Request, fn: Any) -> web.Response:
        return web.json_response(await svc.candidate_call(request, fn))

    @r.post("/v1/candidate/start")
    async def start(request: web.Request) -> web.Response:
        def fn(s: Any) -> dict[str, Any]:
            s.start()
            return {"view": view_json(s.view())}

        return await call(request, fn)

    @r.post("/v1/candidate/answer")
    async def answer(request: web.Request) -> web.Response:
        data = await svc.body(request)
        item = _str(data, "item")
        response = data.get("response")

        def fn(s: Any) -> dict[str, Any]:
            s.save_answer(item, response)
            return {"view": view_json(s.view())}

        return await call(request, fn)

    @r.post("/v1/candidate/flag")
    async def flag(request: web.Request) -> web.Response:
        data = await svc.body(request)
        item, flagged = _str(data, "item"), bool(data.get("flagged"))

        def fn(s: Any) -> dict[str, Any]:
            s.set_flag(item, flagged)
            return {"view": view_json(s.view())}

        return await call(request, fn)

    @r.post("/v1/candidate/goto")
    async def goto(request: web.Request) -> web.Response:
        data = await svc.body(request)
        index = data.get("index")
        if not isinstance(index, int):
            raise KioskError("index: an integer is required")

        def fn(s: Any) -> dict[str, Any]:
            s.goto(index)
            return {"view": view_json(s.view())}

        return await call(request, fn)

    @r.post("/v1/candidate/submit-part")
    async def submit_part(request: web.Request) -> web.Response:
        data = await svc.body(request)
        part = data.get("part")

        def fn(s: Any) -> dict[str, Any]:
            # Naming the part makes a retried request (lost reply) harmless: the part is
            # already submitted, the next one stays open.
            if not (isinstance(part, str) and part in s.state.submitted_parts):
                s.submit_part()
            return {"view": view_json(s.view())}

        return await call(request, fn)


def _candidate_after(r: web.RouteTableDef, svc: Service) -> None:
    """Submitting, the result, the exit PIN and logging out."""
    from kiosk.service.server import peer_of

    async def call(request: web.Request, fn: Any) -> web.Response:
        return web.json_response(await svc.candidate_call(request, fn))

    @r.post("/v1/candidate/submit")
    async def submit(request: web.Request) -> web.Response:
        def fn(s: Any) -> dict[str, Any]:
            receipt = s.submit()
            return {"receipt": receipt, "view": view_json(s.view())}

        return await call(request, fn)

    @r.get("/v1/candidate/result")
    async def result(request: web.Request) -> web.Response:
        def fn(s: Any) -> dict[str, Any]:
            res = s.result()
            return {"result": asdict(res) if res is not None else None}

        return await call(request, fn)

    @r.post("/v1/candidate/exit")
    async def exit_pin(request: web.Request) -> web.Response:
        data = await svc.body(request)
        pin = _str(data, "pin", limit=64)
        peer = peer_of(request)

        def fn(s: Any) -> dict[str, Any]:
            s._charge()
            s._persist_time()
            ok = svc.room.exit_with_pin(pin, seat=s.seat, attempt=s.attempt_id, peer=peer)
            return {"ok": ok}

        return await call(request, fn)

    @r.post("/v1/candidate/logout")
    async def logout(request: web.Request) -> web.Response:
        token = svc.token(request)

        def fn(s: Any) -> dict[str, Any]:
            s.close(force=True)
            svc.room.sessions.pop(token, None)
            return {"ok": True}

        return await call(request, fn)


def _candidate_review(r: web.RouteTableDef, svc: Service) -> None:
    """The review window and objections to marks."""
    async def call(request: web.Request, fn: Any) -> web.Response:
        return web.json_response(await svc.candidate_call(request, fn))

    @r.get("/v1/candidate/review")
    async def review(request: web.Request) -> web.Response:
        """Is the review window open, and (when it is) the marked paper."""
        from kiosk.paper_review import load_paper_review, review_offered

        def fn(s: Any) -> tuple[Any, str]:
            return s.exam, s.attempt_id

        exam, attempt = await svc.candidate_call(request, fn)
        loop = asyncio.get_running_loop()
        offered = await loop.run_in_executor(None, review_offered, svc.centre, exam)
        body: dict[str, Any] = {"offered": offered, "paper": None}
        if offered and request.query.get("paper"):
            paper = await loop.run_in_executor(
                None, lambda: load_paper_review(svc.centre, attempt, passphrase=svc.passphrase))
            body["paper"] = asdict(paper)
        return web.json_response(body)

    @r.post("/v1/candidate/objection")
    async def objection(request: web.Request) -> web.Response:
        data = await svc.body(request)
        item, text = _str(data, "item"), _str(data, "text", limit=4000)

        def fn(s: Any) -> dict[str, Any]:
            from kiosk import marking

            ctx = marking.load_context(svc.centre, svc.ledger, svc.passphrase,
                                       exam_id=s.exam.id)
            marking.lodge_appeal(svc.ledger, ctx, s.attempt_id, item, text, actor=s._actor)
            return {"ok": True}

        return await call(request, fn)


def _attempts(r: web.RouteTableDef, svc: Service) -> None:
    """An attempt's events and an exam's answer key: its own candidate or staff."""
    # -- an attempt's events: its own candidate, or staff ----------------------------------------

    @r.get("/v1/attempts/{attempt}/events")
    async def attempt_events(request: web.Request) -> web.Response:
        attempt = request.match_info["attempt"]
        token = svc.token(request)
        if token not in svc.staff:
            own = await svc.candidate_call(request, lambda s: s.attempt_id)
            if own != attempt:
                await svc.refuse(request, f"events of attempt {attempt}", attempt=own)
        else:
            svc.staff_of(request, STAFF)

        def job() -> list[dict[str, Any]]:
            return [{"seq": e.seq, "ts": e.ts, "actor": e.actor, "kind": e.kind,
                     "body": e.body} for e in svc.ledger.events(attempt=attempt)]

        return web.json_response({"events": await svc.writer.run(job)})

    @r.get("/v1/exams/{exam}/key")
    async def answer_key(request: web.Request) -> web.Response:
        """The answer key: examiners only (a candidate asking is recorded)."""
        exam_id = request.match_info["exam"]
        token = svc.token(request)
        if token not in svc.staff:
            own = await svc.candidate_call(request, lambda s: s.attempt_id)
            await svc.refuse(request, f"answer key of exam {exam_id}", attempt=own)
        svc.staff_of(request, ("examiner", "admin"))
        from kiosk.plugins import registry

        def job() -> dict[str, Any]:
            exam, banks = svc.room.content(exam_id)
            from kiosk.domain.banks import all_items

            reg = registry()
            return {k: reg.question_types[i.type].correct_response(i)
                    for k, i in all_items(list(banks.values())).items()
                    if i.type in reg.question_types}

        return web.json_response({"key": await svc.writer.run(job)})


def _staff_and_seat(r: web.RouteTableDef, svc: Service) -> None:
    """Staff login; a seat's exit with no session (the login screen)."""
    from kiosk.service.server import Staff, new_token, peer_of

    # -- staff -----------------------------------------------------------------------------------

    @r.post("/v1/staff/login")
    async def staff_login(request: web.Request) -> web.Response:
        data = await svc.body(request)
        name, password = _str(data, "name", limit=64), _str(data, "password", limit=1024)
        peer = peer_of(request)
        from kiosk import invigilation

        def check() -> Any:
            # scrypt is slow on purpose: off the writer thread, on a reader connection. The
            # same work is done for unknown names (accounts.authenticate burns a check).
            with svc.centre.reader() as reader:
                return invigilation.login(reader, name, password, roles=STAFF)

        try:
            user = await asyncio.get_running_loop().run_in_executor(None, check)
        except KioskError:
            await svc.writer.run(lambda: svc.ledger.append(
                "staff_login_failed", {"user_given": name, "peer_uid": peer.uid},
                actor="system"))
            raise
        token = new_token()
        svc.staff[token] = Staff(user.name, user.role, peer.uid)
        return web.json_response({"token": token, "role": user.role, "name": user.name})

    # -- a seat without a session (the login screen's exit) --------------------------------------

    @r.post("/v1/seat/exit")
    async def seat_exit(request: web.Request) -> web.Response:
        data = await svc.body(request)
        pin, seat = _str(data, "pin", limit=64), _str(data, "seat", limit=64, default="seat")
        peer = peer_of(request)
        ok = await svc.writer.run(
            lambda: svc.room.exit_with_pin(pin, seat=seat, attempt=None, peer=peer))
        return web.json_response({"ok": ok})


STAFF = ("invigilator", "examiner", "admin")


def _pid() -> int:
    import os

    return os.getpid()


__all__ = ["add_routes", "Refused"]

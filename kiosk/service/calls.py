"""`POST /v1/call/{name}`: the staff's and the operator's use cases (`kiosk.service.usecases`)
over the socket. Authentication is the staff token (`/v1/staff/login`) or, without a token, the
operator: a peer whose Unix uid is the service's own (SO_PEERCRED). A candidate's token is
never accepted here, and trying is recorded."""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any

from aiohttp import web

from kiosk.service import usecases as U

if TYPE_CHECKING:
    from kiosk.service.server import Service


def caller_of(svc: Service, request: web.Request) -> U.Caller:
    from kiosk.service.server import SessionLost, peer_of

    token, peer = svc.token(request), peer_of(request)
    if token:
        staff = svc.staff.get(token)
        if staff is None or staff.uid != peer.uid:
            raise SessionLost("not logged in as staff (log in again)")
        return U.Caller(staff.name, staff.role, peer.uid)
    if peer.uid is not None and peer.uid in (os.geteuid(), 0):
        # The service's own account (or root): it owns the centre directory already.
        return U.Caller(U.OPERATOR, U.OPERATOR, peer.uid)
    raise SessionLost("log in as staff first (name and password)")


def add_call_routes(app: web.Application, svc: Service) -> None:
    r = web.RouteTableDef()

    @r.post("/v1/call/{name}")
    async def call(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if svc.token(request) in svc.room.sessions:
            own = await svc.candidate_call(request, lambda s: s.attempt_id)
            await svc.refuse(request, f"staff call {name[:64]}", attempt=own)
        uc = U.lookup(name)
        caller = caller_of(svc, request)
        U.authorise(uc, caller)
        args = U.clean_args(await svc.body(request))
        loop = asyncio.get_running_loop()
        if uc.prepare is not None:
            args = await loop.run_in_executor(None, uc.prepare, args)
        if not uc.writes:
            def read() -> Any:
                with svc.centre.reader() as reader:
                    return U.run(uc, U.Context(svc.centre, reader, caller, svc.passphrase,
                                               extra=svc.call_extra()), args)

            return web.json_response({"result": await loop.run_in_executor(None, read)})

        extra: dict[str, Any] = {}
        if (read_first := uc.read_first) is not None:
            def first() -> Any:
                with svc.centre.reader() as reader:
                    return read_first(U.Context(svc.centre, reader, caller, svc.passphrase),
                                      args)

            extra["first"] = await loop.run_in_executor(None, first)

        def job() -> Any:
            ctx = U.Context(svc.centre, svc.ledger, caller, svc.passphrase,
                            extra={**svc.call_extra(), **extra})
            result = U.run(uc, ctx, args)
            # Candidates' sessions fold others' events on their next call; the console's
            # version tells watchers something changed.
            svc.room.version += 1
            return result

        return web.json_response({"result": await svc.writer.run(job)})

    app.add_routes(r)

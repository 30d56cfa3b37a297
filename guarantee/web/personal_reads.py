"""Staff opening a person's record leave a trace (SPEC §8): one helper for the back-office
pages and the JSON API, so a read is recorded the same way whichever door it came through."""

from __future__ import annotations

from guarantee.bootstrap import System
from guarantee.domain.actors import Actor
from guarantee.services import commands as c
from guarantee.services.permissions import ALLOWED
from guarantee.web.request_db import RequestDb


def is_staff_read(actor: Actor) -> bool:
    """Staff are whoever the permissions table lets record a read; a landlord reading its
    own record is the person reading itself, not a staff read."""
    return actor.role in ALLOWED[c.RecordPersonalDataRead]


def record_personal_read(
    system: System, db: RequestDb, actor: Actor, subject: str, subject_id: str, via: str
) -> None:
    """Call once the record was found (a 404 read nothing). The request's read connection is
    given back first: on SQLite the bus's write would otherwise wait behind this request's
    own open read (one file, one writer), and on any database it holds a second connection."""
    if not is_staff_read(actor):
        return
    db.release()
    system.bus.handle(c.RecordPersonalDataRead(subject, subject_id, via), actor)

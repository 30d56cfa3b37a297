"""Letters by post: staff mark the day's print batch as posted."""

from __future__ import annotations

from guarantee.services import commands as c
from guarantee.services.deps import Dependencies
from guarantee.services.unit_of_work import UnitOfWork


def mark_print_batch_posted(
    command: c.MarkPrintBatchPosted, uow: UnitOfWork, deps: Dependencies
) -> None:
    with uow:
        batch = uow.print_batches.get(command.batch_id, for_update=True)
        batch.mark_posted(uow.actor.user_id, deps.clock.now())
        uow.commit()

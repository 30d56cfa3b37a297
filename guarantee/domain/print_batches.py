"""The day's print batch: letters for addressees without e-mail, in one PDF for post. Staff
post it and say so; a posted batch stays posted."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from guarantee.domain.aggregate import Aggregate
from guarantee.domain.errors import IllegalTransition


class PrintBatchStatus(StrEnum):
    READY = "ready"
    POSTED = "posted"


# action → (from, to): the whole lifecycle.
TRANSITIONS = {"mark_posted": (PrintBatchStatus.READY, PrintBatchStatus.POSTED)}


class PrintBatch(Aggregate):
    entity_type = "print_batch"

    def __init__(
        self,
        id: str,
        day: date,
        letters: int,
        storage_key: str,
        sha256: str,
        created_at: datetime,
    ) -> None:
        self.id = id
        self.day = day
        self.letters = letters
        self.storage_key = storage_key
        self.sha256 = sha256
        self.status = PrintBatchStatus.READY.value
        self.created_at = created_at
        self.posted_at: datetime | None = None
        self.posted_by: str | None = None

    def mark_posted(self, by: str, now: datetime) -> None:
        source, target = TRANSITIONS["mark_posted"]
        if self.status != source.value:
            raise IllegalTransition("lotto di stampa", self.status, "mark_posted")
        self.status = target.value
        self.posted_at = now
        self.posted_by = by
        self._record(
            "mark_posted",
            {"status": source.value},
            {"status": target.value, "letters": self.letters, "day": self.day.isoformat()},
        )

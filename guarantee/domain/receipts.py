"""When and how a landlord's arrears report or claim reached the fund.

Deadlines are judged on the day it was received, not the day someone typed it in: a claim
sent by PEC on the last day and entered the next morning is in time. Landlords filing
online are received on the day they file; staff entering a letter, a PEC or a paper handed
in at the desk record its day, channel and reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from guarantee.domain.contacts import optional_text
from guarantee.domain.errors import InvalidField
from guarantee.domain.formats import date_it


class ReceiptChannel(StrEnum):
    ONLINE = "online"  # the landlord filed it on the portal or the API
    POST = "post"  # raccomandata
    PEC = "pec"  # posta elettronica certificata
    DESK = "desk"  # handed in at the office


# What a letter or a PEC is known by; a paper handed in at the desk may have no number.
_REFERENCE_NEEDED = {
    ReceiptChannel.POST: "indicare il numero della raccomandata",
    ReceiptChannel.PEC: "indicare l'identificativo del messaggio PEC",
}


@dataclass(frozen=True)
class Receipt:
    received_on: date
    channel: ReceiptChannel
    reference: str | None = None

    @classmethod
    def online(cls, today: date) -> Receipt:
        return cls(today, ReceiptChannel.ONLINE)

    @classmethod
    def entered_by_staff(
        cls,
        *,
        received_on: date,
        channel: ReceiptChannel | str,
        reference: str | None,
        today: date,
    ) -> Receipt:
        """Checked: not in the future, not 'online' (that is the landlord's own filing), and
        with the reference a letter or a PEC carries."""
        via = ReceiptChannel(channel)
        if via is ReceiptChannel.ONLINE:
            raise InvalidField(
                "channel", "per una richiesta inserita dal fondo indicare posta, PEC o sportello"
            )
        if received_on > today:
            raise InvalidField(
                "received_on",
                f"la data di ricezione ({date_it(received_on)}) non può essere nel futuro",
            )
        text = optional_text(reference, "reference", 100)
        if text is None and via in _REFERENCE_NEEDED:
            raise InvalidField("reference", _REFERENCE_NEEDED[via])
        return cls(received_on, via, text)

    def as_dict(self) -> dict[str, Any]:
        return {
            "received_on": self.received_on.isoformat(),
            "received_via": self.channel.value,
            "received_reference": self.reference,
        }

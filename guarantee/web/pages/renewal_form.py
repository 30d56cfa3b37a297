"""The renewal request as a form: the renewed lease's end, rent and charges, typed in Italian."""

from __future__ import annotations

from decimal import Decimal

from guarantee.domain.errors import InvalidField
from guarantee.services import commands as c
from guarantee.web.pages.forms import FormState, amount, day

# The command's field names → the form's (a refusal is shown beside the field typed).
RENEWAL_FIELDS = {
    "lease.end": "end",
    "lease.monthly_rent": "monthly_rent",
    "lease.monthly_charges": "monthly_charges",
    "lease.registration_reference": "registration_reference",
}


def renewal_lease(form: FormState) -> c.RenewalLeaseData | None:
    """The lease terms typed, or None with the errors put beside their fields."""
    values = form.values
    try:
        end = day(values.get("end", ""), "end")
    except InvalidField as error:
        form.refuse(error)
    try:
        rent = amount(values.get("monthly_rent", ""), "monthly_rent")
    except InvalidField as error:
        form.refuse(error)
    charges_text = values.get("monthly_charges", "").strip()
    charges = Decimal("0.00")
    if charges_text and charges_text.replace("0", "").replace(",", "").replace(".", ""):
        try:
            charges = amount(charges_text, "monthly_charges")
        except InvalidField as error:
            form.refuse(error)
    reference = values.get("registration_reference", "").strip()
    if not reference:
        form.errors["registration_reference"] = "indicare gli estremi di registrazione"
    if not form.ok:
        return None
    return c.RenewalLeaseData(
        end=end,
        monthly_rent=rent,
        monthly_charges=charges,
        registered=True,
        registration_reference=reference,
    )


def relatives_declared(form: FormState) -> bool:
    """The kinship declaration of the renewal (a checkbox: sent only when ticked)."""
    return bool(form.values.get("declared_relatives", "").strip())

"""What-if eligibility checks: every rule's verdict for the given facts; nothing is stored."""

from __future__ import annotations

from litestar import post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from guarantee.domain.actors import Role
from guarantee.domain.errors import PermissionDenied
from guarantee.web.deps import ActorDep, SystemDep
from guarantee.web.schemas import EligibilityCheckIn, EligibilityOut, VerdictOut


@post(
    "/api/v1/eligibility/check", status_code=HTTP_200_OK, sync_to_thread=True, tags=["eligibility"]
)
def check_eligibility(
    data: JSONBody[EligibilityCheckIn], system: SystemDep, actor: ActorDep
) -> EligibilityOut:
    if actor.role not in {Role.FUND_MANAGER, Role.OPERATOR, Role.MEDIATOR, Role.AUDITOR}:
        raise PermissionDenied(actor.role.value, "verificare l'ammissibilità")
    facts = data.model_dump(exclude={"on"})
    facts["lease_type"] = data.lease_type.value
    facts["referral_source"] = data.referral_source.value
    day = data.on or system.deps.clock.today()
    evaluation = system.deps.eligibility.evaluate(facts, day)
    return EligibilityOut(
        outcome=evaluation.outcome,
        ruleset_version=evaluation.ruleset_version,
        verdicts=[
            VerdictOut(
                code=v.code,
                message=v.message,
                kind=v.kind,
                result=v.result,
                facts_seen={
                    k: str(x) if not isinstance(x, bool | int) else x
                    for k, x in v.facts_seen.items()
                },
            )
            for v in evaluation.verdicts  # type: ignore[attr-defined]
        ],
    )

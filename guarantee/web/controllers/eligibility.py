"""What-if eligibility checks: every rule's verdict for the given facts; nothing is stored."""

from __future__ import annotations

from litestar import post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from guarantee.domain.actors import Role
from guarantee.domain.eligibility import DEFAULT_SCHEME, check_any
from guarantee.domain.errors import InvalidFacts, PermissionDenied
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
    day = data.on or system.deps.clock.today()
    catalogue = system.deps.eligibility.facts()
    extra, problems = check_any(catalogue, data.facts)
    if problems:
        raise InvalidFacts({f"facts.{name}": reason for name, reason in problems.items()})
    facts: dict[str, object] = {"application_date": day, **extra}
    facts.update(data.model_dump(exclude={"on", "scheme", "facts"}))
    facts["referral_source"] = data.referral_source.value
    evaluation = system.deps.eligibility.evaluate(facts, day, data.scheme or DEFAULT_SCHEME)
    return EligibilityOut(
        outcome=evaluation.outcome,
        ruleset_version=evaluation.ruleset_version,
        scheme=getattr(evaluation, "scheme", DEFAULT_SCHEME),
        verdicts=[
            VerdictOut(
                code=v.code,
                message=v.message,
                kind=v.kind,
                result=v.result,
                detail=getattr(v, "detail", ""),
                facts_seen={
                    k: str(x) if not isinstance(x, bool | int) else x
                    for k, x in v.facts_seen.items()
                },
            )
            for v in evaluation.verdicts  # type: ignore[attr-defined]
        ],
    )

"""The Litestar application factory."""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from sqlalchemy import Connection

from guarantee.bootstrap import System, bootstrap
from guarantee.domain.actors import Actor
from guarantee.jobs.runner import JobRunner
from guarantee.settings import Settings, get_settings
from guarantee.web.controllers.accounts import AccountController, AuthController
from guarantee.web.controllers.attestations import AttestationController
from guarantee.web.controllers.claims import (
    ArrearsReportController,
    ClaimController,
    MediationCaseController,
    RecoveryPlanController,
)
from guarantee.web.controllers.documents import DocumentController, VerificationController
from guarantee.web.controllers.eligibility import check_eligibility
from guarantee.web.controllers.funds import FundController
from guarantee.web.controllers.guarantees import ApplicationController, GuaranteeController
from guarantee.web.controllers.households import HouseholdController
from guarantee.web.controllers.parties import LandlordController, PropertyController
from guarantee.web.controllers.system import health, login
from guarantee.web.deps import provide_actor, provide_connection, provide_db, provide_system
from guarantee.web.errors import EXCEPTION_HANDLERS
from guarantee.web.health import HealthProbe
from guarantee.web.nul_guard import nul_guard_middleware
from guarantee.web.openapi_errors import document_errors
from guarantee.web.pages.backoffice import BackofficeController
from guarantee.web.pages.backoffice_accounts import BackofficeAccountsController
from guarantee.web.pages.backoffice_attestations import BackofficeAttestationController
from guarantee.web.pages.backoffice_cases import BackofficeCasesController
from guarantee.web.pages.backoffice_claims import BackofficeClaimsController
from guarantee.web.pages.backoffice_fund import BackofficeFundController
from guarantee.web.pages.backoffice_impact import ImpactController
from guarantee.web.pages.backoffice_people import BackofficePeopleController
from guarantee.web.pages.backoffice_renewal import BackofficeRenewalController
from guarantee.web.pages.portal import PortalController
from guarantee.web.pages.security import security_headers_middleware
from guarantee.web.request_db import RequestDb
from guarantee.web.request_id import request_id_middleware

log = structlog.get_logger(__name__)


def _static_routes(settings: Settings) -> list[Router]:
    """Bootstrap Italia from the npm registry (node_modules) and our own few files."""
    routes = [
        create_static_files_router(
            path="/static/app",
            directories=[settings.templates_dir / "pages" / "static"],
            include_in_schema=False,
        )
    ]
    if settings.assets_dir.is_dir():
        routes.append(
            create_static_files_router(
                path="/static/bi", directories=[settings.assets_dir], include_in_schema=False
            )
        )
    return routes


def create_served_app() -> Litestar:
    """The app as `garanzia serve` runs it: a process that must end when told to."""
    return create_app(exit_deadline=True)


def _exit_after(seconds: int) -> None:
    # A request thread stuck in the database (or a job that will not stop) must not keep a
    # stopped server process alive: the supervisor waits for it, and so would a deployment.
    def stuck() -> None:
        log.error("shutdown took too long: exiting", seconds=seconds)
        os._exit(1)

    timer = threading.Timer(seconds, stuck)
    timer.daemon = True
    timer.start()


def create_app(system: System | None = None, *, exit_deadline: bool = False) -> Litestar:
    owned = system is None
    settings = system.settings if system is not None else get_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if app.state.get("system") is None:
            app.state.system = bootstrap()
        system: System = app.state.system
        settings = system.settings
        app.state.health = HealthProbe(settings.database_url)
        # Embedded default: no broker, so this process also runs the jobs.
        runner = JobRunner(system) if owned and not system.settings.broker_url else None
        if runner:
            runner.start()
        try:
            yield
        finally:
            if exit_deadline:
                _exit_after(settings.shutdown_timeout)
            if runner:
                runner.stop()
            app.state.health.close()
            if owned:
                system.close()

    app = Litestar(
        route_handlers=[
            health,
            login,
            check_eligibility,
            LandlordController,
            PropertyController,
            ApplicationController,
            GuaranteeController,
            HouseholdController,
            AttestationController,
            FundController,
            DocumentController,
            VerificationController,
            ArrearsReportController,
            MediationCaseController,
            ClaimController,
            RecoveryPlanController,
            AuthController,
            AccountController,
            PortalController,
            BackofficeController,
            BackofficeClaimsController,
            BackofficeCasesController,
            ImpactController,
            BackofficeAttestationController,
            BackofficeFundController,
            BackofficeAccountsController,
            BackofficePeopleController,
            BackofficeRenewalController,
            *_static_routes(settings),
        ],
        dependencies={
            "system": Provide(provide_system, sync_to_thread=False),
            "db": Provide(provide_db),
            "conn": Provide(provide_connection),
            "actor": Provide(provide_actor, sync_to_thread=True),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[request_id_middleware, security_headers_middleware, nul_guard_middleware],
        lifespan=[lifespan],
        state=None if system is None else State({"system": system}),
        openapi_config=OpenAPIConfig(
            title="Garanzia Casa",
            version="1.0.0",
            description="Fondo di garanzia per l'affitto: API per gestori, mediatori e locatori.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        signature_namespace={
            "System": System,
            "Actor": Actor,
            "Connection": Connection,
            "RequestDb": RequestDb,
        },
    )
    document_errors(app)
    return app

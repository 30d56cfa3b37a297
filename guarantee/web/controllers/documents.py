"""Archived documents (download by whoever may see the guarantee) and certificate checks."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Controller, MediaType, Response, get, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK

from guarantee.adapters.formatting import FILTERS
from guarantee.adapters.storage import FileStore
from guarantee.domain.actors import Actor, Role
from guarantee.domain.documents import file_name, sha256_hex
from guarantee.domain.errors import DomainError, NotFound, PermissionDenied
from guarantee.read import access
from guarantee.read import documents as read
from guarantee.read import print_batches as batches
from guarantee.read.audit_verify import file_problem
from guarantee.read.guarantees import guarantee_detail, guarantee_visible
from guarantee.services import commands as c
from guarantee.web.deps import ActorDep, ConnectionDep, SystemDep
from guarantee.web.schemas import DocumentOut, PrintBatchOut, VerificationOut

STATUS_LABELS = {
    "issued": "emessa",
    "active": "attiva",
    "suspended": "sospesa (sinistro aperto)",
    "expired": "scaduta",
    "terminated": "risolta anticipatamente",
    "cancelled": "annullata",
    "exhausted": "massimale esaurito",
    "superseded": "sostituito dal certificato del rinnovo",
}
# An eligibility attestation's states, as the verification page names them.
ATTESTATION_LABELS = {
    "issued": "valida",
    "expired": "scaduta",
    "used": "già usata per una domanda di garanzia",
    "withdrawn": "revocata",
}


@lru_cache(maxsize=2)
def _pages(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir / "pages"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
    )
    env.filters.update(FILTERS)
    return env


class DocumentController(Controller):
    path = "/api/v1"
    tags = ("documents",)

    @get("/guarantees/{number:str}/documents", sync_to_thread=True)
    def list_documents(
        self, number: str, conn: ConnectionDep, actor: ActorDep
    ) -> list[DocumentOut]:
        guarantee = guarantee_detail(conn, number, actor=actor)
        # Only the documents addressed to this reader (a landlord never gets the tenant's).
        return [
            DocumentOut.model_validate(row)
            for row in read.documents_of(conn, guarantee["id"])
            if access.may_download(actor, row["kind"])
        ]

    @get("/documents/{document_id:str}", sync_to_thread=True, media_type=MediaType.TEXT)
    def download(
        self, document_id: str, conn: ConnectionDep, actor: ActorDep, system: SystemDep
    ) -> Response[bytes]:
        found = read.document_file(conn, document_id)
        visible = guarantee_visible(conn, found["guarantee_id"], actor=actor)
        if not visible or not access.may_download(actor, found["kind"]):
            raise NotFound("documento", document_id)
        content = FileStore(system.settings.storage_dir).get(found["storage_key"])
        if sha256_hex(content) != found["sha256"]:
            # The archive is write-once: a mismatch means tampering or corruption, never serve it.
            raise DomainError(
                "il file archiviato non corrisponde alla sua impronta SHA-256: documento non "
                "disponibile, segnalato alla verifica dell'archivio",
                code="document_corrupted",
            )
        name = file_name(found["title"], found["protocol_year"], found["protocol_sequence"])
        return Response(
            content,
            media_type=found["media_type"],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    # -- print batches: letters for households without e-mail, for fund managers --------

    @get("/print-batches", sync_to_thread=True)
    def list_batches(self, conn: ConnectionDep, actor: ActorDep) -> list[PrintBatchOut]:
        _staff_only(actor, "print_batches")
        return [PrintBatchOut.model_validate(row) for row in batches.print_batches(conn)]

    @get("/print-batches/{batch_id:str}/pdf", sync_to_thread=True, media_type="application/pdf")
    def download_batch(
        self, batch_id: str, conn: ConnectionDep, actor: ActorDep, system: SystemDep
    ) -> Response[bytes]:
        _staff_only(actor, "print_batches")
        found = batches.print_batch_file(conn, batch_id)
        content = FileStore(system.settings.storage_dir).get(found["storage_key"])
        if sha256_hex(content) != found["sha256"]:
            raise RuntimeError(f"lotto {batch_id}: impronta SHA-256 non corrispondente")
        name = f"lotto-di-stampa-{found['day'].isoformat()}.pdf"
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @post("/print-batches/{batch_id:str}/posted", status_code=HTTP_200_OK, sync_to_thread=True)
    def mark_posted(
        self, batch_id: str, conn: ConnectionDep, actor: ActorDep, system: SystemDep
    ) -> PrintBatchOut:
        system.bus.handle(c.MarkPrintBatchPosted(batch_id), actor)
        row = next(b for b in batches.print_batches(conn) if b["id"] == batch_id)
        return PrintBatchOut.model_validate(row)


class VerificationController(Controller):
    path = ""
    tags = ("verify",)

    @get("/api/v1/verify/{code:str}", sync_to_thread=True)
    def verify_json(self, code: str, conn: ConnectionDep, system: SystemDep) -> VerificationOut:
        return VerificationOut.model_validate(
            _checked(
                read.verify_certificate(conn, code, system.deps.clock.today()),
                system.settings.storage_dir,
            )
        )

    @get(
        "/verify/{code:str}",
        sync_to_thread=True,
        media_type=MediaType.HTML,
        include_in_schema=False,
    )
    def verify_page(
        self, code: Annotated[str, Parameter(max_length=40)], conn: ConnectionDep, system: SystemDep
    ) -> Response[str]:
        result: dict[str, Any] | None
        try:
            result = _checked(
                read.verify_certificate(conn, code, system.deps.clock.today()),
                system.settings.storage_dir,
            )
        except NotFound:
            result = None
        html = (
            _pages(system.settings.templates_dir)
            .get_template("verify.html.j2")
            .render(
                fund_name=system.settings.fund_name,
                code=code,
                result=result,
                status_label=_label(result) if result else "",
            )
        )
        return Response(html, media_type=MediaType.HTML, status_code=200 if result else 404)


def _label(result: dict[str, Any]) -> str:
    labels = ATTESTATION_LABELS if result.get("kind") == "attestation" else STATUS_LABELS
    return str(labels.get(result["status"], result["status"]))


def _staff_only(actor: Actor, action: str) -> None:
    if actor.role not in (Role.FUND_MANAGER, Role.SYSTEM):
        raise PermissionDenied(actor.role.value, action)


def _checked(result: dict[str, Any], storage_dir: Path) -> dict[str, Any]:
    """A certificate whose archived file no longer matches its hash is not called valid."""
    files = result.pop("certificate_files", [])
    intact = all(file_problem(storage_dir, key, digest) is None for key, digest in files)
    return {**result, "document_intact": intact, "valid": result["valid"] and intact}

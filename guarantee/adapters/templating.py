"""Jinja2 rendering of the fund's documents to HTML.

The environment is built once per ``DocumentRenderer``; templates are
compiled and cross-checked against the manifest when it is built, so a broken
template set fails at start-up, not in a night job.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    UndefinedError,
    meta,
)

from guarantee.adapters.document_errors import (
    DocumentContextError,
    DocumentTemplateError,
    MissingContextError,
    TemplateManifestError,
)
from guarantee.adapters.formatting import FILTERS
from guarantee.adapters.qr import qr_svg_data_uri
from guarantee.adapters.template_manifest import DocumentSpec, load_manifest
from guarantee.domain.documents import VERIFIABLE, CertificateCode, DocumentKind
from guarantee.domain.errors import InvalidField

DEFAULT_TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
DOCUMENTS_FOLDER = "documents"

# Names the renderer puts into contexts; the manifest may not declare them.
INJECTED = frozenset({"branding", "document"})
INJECTED_IN_CERTIFICATE = INJECTED | {"verification_url", "qr_code"}

_LOGO_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


@dataclass(frozen=True, slots=True)
class Branding:
    """Who the documents speak for; configuration, never written into templates."""

    fund_name: str
    consortium_name: str
    base_url: str  # public address of the site; certificates link to {base_url}/verify/{code}
    logo_path: Path | None = None
    address: str = ""  # letterhead line, e.g. "Via … – 10015 Ivrea (TO)"
    contact: str = ""  # e.g. "PEC … · tel. …"

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("https://", "http://")):
            raise ValueError(f"base_url must be an http(s) address: {self.base_url!r}")


@dataclass(frozen=True, slots=True)
class RenderedHtml:
    kind: DocumentKind
    html: str
    template_version: str
    title: str


class _NamingUndefined(StrictUndefined):
    """StrictUndefined whose error text is just the missing name, for our message."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        return str(self._undefined_name or self._undefined_hint or "?")


def _template_location(traceback: TracebackType | None) -> str | None:
    # Jinja rewrites tracebacks so template frames carry the .j2 file and line.
    location = None
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if code.co_filename.endswith(".j2"):
            location = f"{Path(code.co_filename).name}:{traceback.tb_lineno}"
        traceback = traceback.tb_next
    return location


def _logo_data_uri(path: Path) -> str:
    # Embedded once at start-up, so documents carry the logo and need no file access.
    media_type = _LOGO_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise DocumentTemplateError(f"{path}: il logo dev'essere un file SVG, PNG o JPEG")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentTemplateError(f"{path}: logo illeggibile: {exc.strerror or exc}") from exc
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


class DocumentRenderer:
    """Renders any ``DocumentKind`` to HTML from a checked context."""

    def __init__(self, branding: Branding, templates_dir: Path | None = None) -> None:
        root = templates_dir or DEFAULT_TEMPLATES_DIR
        self._loader = FileSystemLoader(root)
        self._env = Environment(
            loader=self._loader,
            undefined=_NamingUndefined,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # templates are versioned files: no stat() per render
        )
        self._env.filters.update(FILTERS)
        self._base_url = branding.base_url.rstrip("/")
        self._branding = {
            "fund_name": branding.fund_name,
            "consortium_name": branding.consortium_name,
            "address": branding.address,
            "contact": branding.contact,
            "logo": _logo_data_uri(branding.logo_path) if branding.logo_path else None,
        }
        documents_dir = root / DOCUMENTS_FOLDER
        self._specs = load_manifest(documents_dir)
        self._templates = {kind: self._compile(spec) for kind, spec in self._specs.items()}
        self._refuse_stray_templates(documents_dir)

    @property
    def specs(self) -> Mapping[DocumentKind, DocumentSpec]:
        return self._specs

    def render_html(self, kind: DocumentKind | str, context: Mapping[str, object]) -> RenderedHtml:
        spec = self._specs[DocumentKind(kind)]
        spec.check(context)
        variables = dict(context)
        variables["branding"] = self._branding
        variables["document"] = {
            "kind": spec.kind.value,
            "title": spec.title,
            "version": spec.version,
        }
        if spec.kind in VERIFIABLE:
            variables.update(self._verification(spec, context))
        try:
            html = self._templates[spec.kind].render(variables)
        except UndefinedError as exc:
            raise MissingContextError(
                spec.file, [str(exc)], location=_template_location(exc.__traceback__)
            ) from exc
        return RenderedHtml(spec.kind, html, spec.version, spec.title)

    def _verification(self, spec: DocumentSpec, context: Mapping[str, object]) -> dict[str, str]:
        printed = context["certificate_code"]
        try:
            code = CertificateCode.parse(str(printed))
        except InvalidField as exc:
            raise DocumentContextError(spec.file, exc.reason, ["certificate_code"]) from exc
        if str(code) != printed:
            raise DocumentContextError(
                spec.file, f"not in canonical form {code}", ["certificate_code"]
            )
        url = f"{self._base_url}/verify/{code}"
        return {"verification_url": url, "qr_code": qr_svg_data_uri(url)}

    def _compile(self, spec: DocumentSpec) -> Template:
        try:
            template = self._env.get_template(spec.file)
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            where = f"{spec.file}:{line}" if line else spec.file
            raise TemplateManifestError(where, f"il modello non si compila: {exc}") from exc
        self._check_variables(spec)
        return template

    def _check_variables(self, spec: DocumentSpec) -> None:
        """The top-level names a template (and what it includes) reads must be
        exactly the declared ones: a drift between file and manifest fails here."""
        used = self._names_used(spec.file, set())
        declared = {field.name for field in spec.fields}
        clash = declared & INJECTED_IN_CERTIFICATE
        if clash:
            raise TemplateManifestError(spec.file, f"dichiara nomi riservati {sorted(clash)}")
        injected = INJECTED_IN_CERTIFICATE if spec.kind in VERIFIABLE else INJECTED
        undeclared = used - declared - injected - set(self._env.globals)
        if undeclared:
            raise TemplateManifestError(
                spec.file, f"usa variabili non dichiarate nel manifest: {sorted(undeclared)}"
            )
        unused = declared - used
        if unused:
            raise TemplateManifestError(
                spec.file, f"il manifest dichiara variabili mai usate: {sorted(unused)}"
            )

    def _names_used(self, name: str, seen: set[str]) -> set[str]:
        seen.add(name)
        source, _, _ = self._loader.get_source(self._env, name)
        tree = self._env.parse(source, name)
        used = set(meta.find_undeclared_variables(tree))
        for referenced in meta.find_referenced_templates(tree):
            if referenced is not None and referenced not in seen:
                used |= self._names_used(referenced, seen)
        return used

    def _refuse_stray_templates(self, documents_dir: Path) -> None:
        # A template file that no manifest entry names would never be versioned.
        listed = {spec.file for spec in self._specs.values()}
        for path in sorted(documents_dir.glob("*.j2")):
            name = f"{DOCUMENTS_FOLDER}/{path.name}"
            if not path.name.startswith("_") and name not in listed:
                raise TemplateManifestError(str(path), "modello non elencato nel manifest")

"""Errors of document rendering: faults of templates or of the code calling them.

They are not the user's doing (unlike ``DomainError``): they mean a bug or a
broken template set, and each names the file and the variable to look at.
"""

from __future__ import annotations

from collections.abc import Iterable


class DocumentTemplateError(Exception):
    """Base of every rendering fault."""


class TemplateManifestError(DocumentTemplateError):
    """The template set is inconsistent; found when the renderer is built."""

    def __init__(self, file: str, problem: str, line: int | None = None) -> None:
        super().__init__(f"{file}:{line}: {problem}" if line is not None else f"{file}: {problem}")
        self.file = file
        self.problem = problem
        self.line = line


class DocumentContextError(DocumentTemplateError):
    """The data given for a document does not fit what its template declares."""

    def __init__(self, template: str, problem: str, variables: Iterable[str]) -> None:
        self.template = template
        self.variables = tuple(variables)
        super().__init__(f"{template}: {problem}: {', '.join(self.variables)}")


class MissingContextError(DocumentContextError):
    """A variable the template needs was not given (never rendered as a blank)."""

    def __init__(
        self, template: str, variables: Iterable[str], location: str | None = None
    ) -> None:
        problem = f"missing variable (used at {location})" if location else "missing variable"
        super().__init__(template, problem, variables)
        self.location = location

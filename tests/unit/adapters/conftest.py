from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from guarantee.adapters.document_samples import SAMPLE_BRANDING
from guarantee.adapters.templating import DEFAULT_TEMPLATES_DIR, DocumentRenderer


@pytest.fixture(scope="session")
def renderer() -> DocumentRenderer:
    return DocumentRenderer(SAMPLE_BRANDING)


@pytest.fixture
def templates_copy(tmp_path: Path) -> Path:
    """A private copy of templates/ that a test may break."""
    target = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES_DIR, target)
    return target

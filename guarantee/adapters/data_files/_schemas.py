"""The JSON Schemas published next to the data, generated from the pydantic models.

Regenerate after changing a model: ``python -m guarantee.adapters.data_files._schemas``
(from the project root); a unit test fails while the committed files differ.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from guarantee.adapters.data_files._models import (
    ExamplesModel,
    FactCatalogueModel,
    ParameterHistoryModel,
    ProductModel,
    RuleSetModel,
)

_PUBLISHED: dict[str, type[BaseModel]] = {
    "rules/schema/ruleset.schema.json": RuleSetModel,
    "rules/schema/examples.schema.json": ExamplesModel,
    "rules/schema/facts.schema.json": FactCatalogueModel,
    "rules/schema/parameter.schema.json": ParameterHistoryModel,
    "policies/schema/product.schema.json": ProductModel,
}


def published_schemas() -> dict[str, str]:
    """Relative path → schema text, exactly as it must be committed."""
    texts: dict[str, str] = {}
    for relative, model in _PUBLISHED.items():
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **model.model_json_schema(),
        }
        texts[relative] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return texts


def write_schemas(root: Path) -> list[Path]:
    """Write every published schema under ``root``; return the files written."""
    written: list[Path] = []
    for relative, text in published_schemas().items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    for path in write_schemas(Path.cwd()):
        print(path)

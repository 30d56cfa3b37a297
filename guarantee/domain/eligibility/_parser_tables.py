"""rule-engine's parser tables ready-made, so importing rule-engine builds none.

rule-engine builds a PLY parser when it is imported: about half a second of LALR table
generation in every process that reads rules (each `garanzia serve`, `garanzia worker` and
command). PLY first looks for the tables in the module ``rule_engine.parser.parsetab`` and
uses them only if their grammar signature is the installed grammar's; otherwise it builds
them as before. So the tables of ``_rule_parser_tables`` (generated from rule-engine's own,
see tests/support/parser_tables.py) are offered there before rule-engine is imported: a
rule-engine with another grammar ignores them and is only slower.
"""

from __future__ import annotations

import sys
import types

from guarantee.domain.eligibility import _rule_parser_tables as _tables

_MODULE = "rule_engine.parser.parsetab"


def _expand(
    compressed: dict[str, tuple[list[int], list[int | None]]]
    | dict[str, tuple[list[int], list[int]]],
) -> dict[int, dict[str, int | None]]:
    """Per state, per symbol: PLY's tables as it reads them (written per symbol, smaller)."""
    table: dict[int, dict[str, int | None]] = {}
    for symbol, (states, values) in compressed.items():
        for state, value in zip(states, values, strict=True):
            table.setdefault(state, {})[symbol] = value
    return table


def offer() -> None:
    """Put the tables where PLY looks for them, unless something is there already."""
    if _MODULE in sys.modules:
        return
    module = types.ModuleType(_MODULE)
    module._tabversion = _tables.TABVERSION  # type: ignore[attr-defined]
    module._lr_method = "LALR"  # type: ignore[attr-defined]
    module._lr_signature = _tables.SIGNATURE  # type: ignore[attr-defined]
    module._lr_action = _expand(_tables.ACTION)  # type: ignore[attr-defined]
    module._lr_goto = _expand(_tables.GOTO)  # type: ignore[attr-defined]
    # (text, name, length, function, file, line): the last two only name the source in
    # PLY's debugging output.
    module._lr_productions = [  # type: ignore[attr-defined]
        (text, name, length, function, None, None)
        for text, name, length, function in _tables.PRODUCTIONS
    ]
    sys.modules[_MODULE] = module


offer()

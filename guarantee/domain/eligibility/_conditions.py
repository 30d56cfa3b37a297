"""One condition: parsed and type-checked by rule-engine, with what it cannot check itself.

rule-engine refuses unknown symbols, syntax errors and most type mismatches; here we also
refuse builtins such as ``$today`` (a verdict must depend only on facts), conditions that
are not true/false, and equality or membership between different types.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Mapping
from typing import Any

import rule_engine

from guarantee.domain.eligibility._facts import FactType

ENGINE_TYPES: dict[FactType, Any] = {
    # rule-engine has one number type, FLOAT, backed by decimal.Decimal
    "decimal": rule_engine.DataType.FLOAT,
    "integer": rule_engine.DataType.FLOAT,
    "string": rule_engine.DataType.STRING,
    "boolean": rule_engine.DataType.BOOLEAN,
    # compared with date literals such as d"2026-01-01"; arithmetic goes through
    # computed facts (age, months since, days before) rather than inside a condition
    "date": rule_engine.DataType.DATETIME,
}
_ONLY_FACTS = "una regola legge solo i dati del catalogo (rules/facts.yaml), per nome"
_SAME_TYPES = (
    "confrontare numeri con numeri (isee <= 26000), testi con testi tra virgolette "
    "(lease_type == 'concordato'), date con date (d\"2026-01-01\")"
)
_MISMATCH = "mette insieme dati di tipo diverso: " + _SAME_TYPES
_TYPE_NAMES = {
    "FLOAT": "un numero",
    "STRING": "un testo",
    "BOOLEAN": "un sì/no",
    "DATETIME": "una data",
    "ARRAY": "un elenco",
    "SET": "un elenco",
    "MAPPING": "un gruppo di valori",
    "TIMEDELTA": "una durata",
}
# A fixed decimal context: evaluations must not depend on whatever the calling thread set.
_DECIMALS = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN)


def compile_condition(
    text: str, types: Mapping[str, Any], used: set[str], problem: Callable[[str], None]
) -> rule_engine.Rule | None:
    """Parse and type-check one condition; report through ``problem`` and return None
    if it cannot be used. Adds the symbols it reads to ``used``."""
    context = rule_engine.Context(
        type_resolver=rule_engine.type_resolver_from_dict(dict(types)),
        default_timezone="utc",
        decimal_context=_DECIMALS,
    )
    try:
        rule = rule_engine.Rule(text, context=context)
    except rule_engine.SymbolResolutionError as exc:
        if exc.symbol_scope is not None:
            problem(f"'${exc.symbol_name}' non è ammesso: {_ONLY_FACTS}")
        else:
            problem(unknown_fact(exc.symbol_name, types))
        return None
    except rule_engine.errors.SyntaxError as exc:
        problem(f"la condizione «{text}» è scritta male: {_syntax(exc)}")
        return None
    except rule_engine.errors.AttributeResolutionError as exc:
        problem(
            f"la condizione «{text}» legge '.{exc.attribute_name}' da un dato: "
            "scrivere solo il nome del dato"
        )
        return None
    except rule_engine.EngineError:
        problem(f"la condizione «{text}» {_MISMATCH}")
        return None
    builtins = context.symbols - set(types)
    if builtins:
        names = ", ".join(f"'${name}'" for name in sorted(builtins))
        problem(f"{names} non ammesso: {_ONLY_FACTS}")
        return None
    used.update(context.symbols)
    result_type = rule.statement.expression.result_type
    if result_type != rule_engine.DataType.BOOLEAN:
        problem(
            f"la condizione «{text}» dà {_type_name(result_type)} invece di vero o falso: "
            "scrivere un confronto, es. isee <= 26000"
        )
        return None
    mismatches = _mixed_types(rule.statement.expression)
    if mismatches:
        problem(f"la condizione «{text}» {'; '.join(mismatches)}: {_SAME_TYPES}")
        return None
    return rule


def _mixed_types(expression: object) -> list[str]:
    """Equality and membership tests between different types, which rule-engine allows.

    rule-engine refuses ``isee <= 'a'`` but accepts ``other_live_guarantees == '0'``,
    which is simply never true; a rule written that way would silently never pass.
    We walk rule-engine's own parse tree (no parsing of ours) to refuse it at load.
    """
    found: list[str] = []
    stack = [expression]
    while stack:
        node = stack.pop()
        if isinstance(node, rule_engine.ast.ComparisonExpression) and node.type in ("eq", "ne"):
            left, right = node.left.result_type, node.right.result_type
            if _known(left) and _known(right) and left != right:
                found.append(f"confronta {_type_name(left)} con {_type_name(right)}, mai uguali")
        elif isinstance(node, rule_engine.ast.ContainsExpression):
            member = node.member.result_type
            values = getattr(node.container.result_type, "value_type", None)
            if _known(member) and values is not None and _known(values) and member != values:
                found.append(f"cerca {_type_name(member)} fra valori che sono {_type_name(values)}")
        stack.extend(_children(node))
    return found


def _known(data_type: Any) -> bool:
    undefined = (rule_engine.DataType.UNDEFINED, rule_engine.DataType.NULL)
    return data_type not in undefined and data_type.is_scalar


def _children(node: object) -> list[object]:
    fields = dict(getattr(node, "__dict__", {}))
    for cls in type(node).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if hasattr(node, name):
                fields[name] = getattr(node, name)
    children: list[object] = []
    for name, value in fields.items():
        if name == "context":
            continue
        if isinstance(value, rule_engine.ast.ExpressionBase):
            children.append(value)
        elif isinstance(value, tuple):
            children.extend(v for v in value if isinstance(v, rule_engine.ast.ExpressionBase))
    return children


def _type_name(data_type: Any) -> str:
    name = str(getattr(data_type, "name", data_type))
    return _TYPE_NAMES.get(name, "un valore di altro tipo")


def _syntax(exc: rule_engine.errors.SyntaxError) -> str:
    token = getattr(exc, "token", None)
    if isinstance(exc, rule_engine.RuleSyntaxError):
        if token is None:
            return "è incompleta (finisce troppo presto): completare il confronto"
        return f"{token.value!r} inatteso al carattere {token.lexpos + 1}"
    if isinstance(exc, rule_engine.errors.DatetimeSyntaxError):
        return 'data non valida: scrivere d"AAAA-MM-GG", es. d"2026-01-01"'
    return "un valore non si legge: controllare virgolette e numeri (es. 26000.50)"


def unknown_fact(name: str, types: Mapping[str, Any]) -> str:
    """The message for a fact name the catalogue does not declare, with the near one."""
    close = [known for known in types if _near(name, known)]
    head = f"il dato '{name}' non è nel catalogo (rules/facts.yaml): "
    if close:
        return head + f"forse '{close[0]}'?"
    return head + "correggere il nome o dichiararlo nel catalogo"


def _near(a: str, b: str) -> bool:
    # Cheap closeness: same length ±1 and at most two differing positions, or a swap.
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 2
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))

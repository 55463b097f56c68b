"""The few CloudFormation intrinsic functions the local system evaluates, with parameter values.

A deployment gives the template its parameters; locally each is its default unless the run
overrides it (e.g. ``questline-local run --trusted-award-sources``), so a bus rule whose pattern
depends on a parameter matches locally what it matches when deployed. Only what the local
triggers need is understood: ``Ref`` to a parameter, ``Fn::If``, ``Fn::Join``, ``Fn::Split``, and
in conditions ``Fn::Not``, ``Fn::Equals``, ``Fn::And``, ``Fn::Or``; anything else fails loudly
rather than being approximated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def parameter_values(template: dict[str, Any], overrides: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Each parameter's value: the override, else the default. A ``CommaDelimitedList`` is a list
    of its trimmed members (``""`` is ``[""]``, as CloudFormation has it); other types stay strings."""
    declared = template.get("Parameters", {})
    unknown = set(overrides or {}) - set(declared)
    if unknown:
        raise KeyError(f"template.yaml has no parameter {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        raw = (overrides or {}).get(name, spec.get("Default"))
        if raw is None:
            continue  # a parameter with no default: a Ref to it fails
        if spec.get("Type") == "CommaDelimitedList":
            values[name] = [member.strip() for member in str(raw).split(",")]
        else:
            values[name] = str(raw)
    return values


def resolve(value: Any, template: dict[str, Any], parameters: Mapping[str, Any]) -> Any:
    """``value`` with every intrinsic function in it evaluated."""
    if isinstance(value, list):
        return [resolve(item, template, parameters) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        [(key, argument)] = value.items()
        if key == "Ref" or key.startswith("Fn::"):
            return _function(key, argument, template, parameters)
    return {key: resolve(item, template, parameters) for key, item in value.items()}


def _function(key: str, argument: Any, template: dict[str, Any], parameters: Mapping[str, Any]) -> Any:
    match key, argument:
        case "Ref", str(name) if name in parameters:
            return parameters[name]
        case "Fn::If", [str(condition), when_true, when_false]:
            chosen = when_true if _condition(condition, template, parameters) else when_false
            return resolve(chosen, template, parameters)
        case "Fn::Join", [str(delimiter), items]:
            members = resolve(items, template, parameters)
            if isinstance(members, list) and all(isinstance(m, str) for m in members):
                return delimiter.join(members)
        case "Fn::Split", [str(delimiter), text]:
            joined = resolve(text, template, parameters)
            if isinstance(joined, str):
                return joined.split(delimiter)
    raise ValueError(f"cannot resolve {key} locally: {argument!r}")


def _condition(name: str, template: dict[str, Any], parameters: Mapping[str, Any]) -> bool:
    conditions = template.get("Conditions", {})
    if name not in conditions:
        raise KeyError(f"template.yaml has no condition {name!r}")
    return _truth(conditions[name], template, parameters)


def _truth(expression: Any, template: dict[str, Any], parameters: Mapping[str, Any]) -> bool:
    match expression:
        case {"Condition": str(name)}:
            return _condition(name, template, parameters)
        case {"Fn::Not": [inner]}:
            return not _truth(inner, template, parameters)
        case {"Fn::And": list(items)}:
            return all(_truth(item, template, parameters) for item in items)
        case {"Fn::Or": list(items)}:
            return any(_truth(item, template, parameters) for item in items)
        case {"Fn::Equals": [left, right]}:
            return bool(resolve(left, template, parameters) == resolve(right, template, parameters))
    raise ValueError(f"cannot evaluate the condition {expression!r} locally")

"""Rendering a definition as a human sentence for the UI, the CLI and exports."""

from __future__ import annotations

from segmint.catalog import Catalog
from segmint.definition import nodes as n
from segmint.definition.operators import NUMBER, TEXT, TIMESTAMP, Shape, operators_for


def _value(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _test(phrase: str, shape: Shape, value: object, unit: n.TimeUnit | None) -> str:
    if shape is Shape.NONE:
        return phrase
    if shape is Shape.LIST and isinstance(value, tuple):
        return f"{phrase} {', '.join(_value(v) for v in value)}"
    if shape is Shape.PAIR and isinstance(value, tuple) and len(value) == 2:
        return f"{phrase} {_value(value[0])} and {_value(value[1])}"
    if shape is Shape.RELATIVE:
        units = f"{unit.value}s" if unit is not None and value != 1 else (unit or "")
        if phrase.endswith("more than"):
            return f"{phrase} {value} {units} ago"
        return f"{phrase} {value} {units}"
    if shape is Shape.DAYS:
        return f"{phrase} {value} days"
    return f"{phrase} {_value(value)}"


class _Describer:
    def __init__(self, catalog: Catalog | None) -> None:
        self.catalog = catalog

    def label(self, scope: str | None, field: str) -> str:
        parts = field.split(".")
        if len(parts) > 1:
            return "'s ".join(p.replace("_", " ") for p in parts)
        if self.catalog is not None and scope is not None:
            holder = self.catalog.entities.get(scope) or self.catalog.interactions.get(scope)
            if holder is not None and field in holder.attributes:
                return holder.attributes[field].label.lower()
        return field.replace("_", " ")

    def op_phrase(self, scope: str | None, field: str, op: str) -> tuple[str, Shape]:
        typ = None
        if self.catalog is not None and scope is not None:
            if scope in self.catalog.entities:
                try:
                    typ = self.catalog.resolve_field(scope, field).attribute.type
                except KeyError:
                    typ = None
            elif scope in self.catalog.interactions:
                attr = self.catalog.interactions[scope].attributes.get(field)
                typ = attr.type if attr else None
        table = operators_for(typ) if typ is not None else {**TIMESTAMP, **NUMBER, **TEXT}
        found = table.get(op)
        return (found.phrase, found.shape) if found else (op, Shape.SCALAR)

    def sentence(self, node: n.Condition, scope: str | None, top: bool = True) -> str:
        if isinstance(node, n.And | n.Or):
            joiner = " and " if isinstance(node, n.And) else " or "
            parts = [self.sentence(c, scope, top=False) for c in node.conditions]
            text = joiner.join(parts)
            return text if top or len(parts) == 1 else f"({text})"
        if isinstance(node, n.Not):
            return f"not {self.sentence(node.condition, scope, top=False)}"
        if isinstance(node, n.Attribute):
            phrase, shape = self.op_phrase(scope, node.field, node.op)
            return f"{self.label(scope, node.field)} {_test(phrase, shape, node.value, node.unit)}"
        if isinstance(node, n.Related):
            return self.related(node, scope)
        if isinstance(node, n.Behavior):
            return self.behavior(node)
        return f"in segment {node.segment}"

    def related(self, node: n.Related, scope: str | None) -> str:
        target = None
        if self.catalog is not None and scope is not None and scope in self.catalog.entities:
            rel = self.catalog.entities[scope].relationships.get(node.relationship)
            target = rel.target if rel else None
        noun = node.relationship.replace("_", " ")
        where = f" where {self.sentence(node.where, target)}" if node.where else ""
        if node.count is not None:
            op = NUMBER.get(node.count.op)
            test = _test(op.phrase, op.shape, node.count.value, None) if op else node.count.op
            return f"number of {noun}{where} {test}"
        match = node.match or "any"
        if match == "any":
            return f"has {noun}{where}" if where else f"has {noun}"
        if match == "none":
            return f"has no {noun}{where}"
        return f"has {noun} and all {noun} match{where.replace(' where', ':', 1)}"

    def behavior(self, node: n.Behavior) -> str:
        label = node.interaction.replace("_", " ")
        if self.catalog is not None and node.interaction in self.catalog.interactions:
            label = self.catalog.interactions[node.interaction].label
        if node.aggregate is not None:
            agg = node.aggregate
            phrase, shape = self.op_phrase(node.interaction, agg.field, agg.op)
            if agg.fn in ("sum", "avg"):
                phrase, shape = NUMBER[agg.op].phrase, NUMBER[agg.op].shape
            fn = {"sum": "total", "avg": "average", "min": "smallest", "max": "largest"}[agg.fn]
            test = _test(phrase, shape, agg.value, agg.unit)
            text = f"{fn} {self.label(node.interaction, agg.field)} of {label} {test}"
        elif node.occurrence is not None:
            occ = node.occurrence
            op = TIMESTAMP.get(occ.op)
            test = _test(op.phrase, op.shape, occ.value, occ.unit) if op else occ.op
            text = f"{occ.which} {label} {test}"
        elif node.count is not None:
            text = f"has {label} {self.count(node.count)}"
        else:
            text = f"has {label}"
        if node.window is not None:
            text += " " + self.window(node.window)
        if node.where is not None:
            text += f" where {self.sentence(node.where, node.interaction)}"
        return text

    @staticmethod
    def count(cmp: n.Comparison) -> str:
        value = cmp.value
        words = {
            "gte": f"at least {value} times",
            "gt": f"more than {value} times",
            "lte": f"at most {value} times",
            "lt": f"fewer than {value} times",
            "eq": f"exactly {value} times",
            "neq": f"other than {value} times",
        }
        if cmp.op in words:
            return words[cmp.op]
        op = NUMBER.get(cmp.op)
        return f"a number of times that {_test(op.phrase, op.shape, value, None)}" if op else ""

    @staticmethod
    def window(window: n.Window) -> str:
        if window.last is not None and window.unit is not None:
            unit = window.unit.value + ("s" if window.last != 1 else "")
            return f"in the last {window.last} {unit}"
        if window.from_ and window.to:
            return f"between {window.from_} and {window.to}"
        if window.from_:
            return f"since {window.from_}"
        return f"until {window.to}"


def describe(definition: n.Definition, catalog: Catalog | None = None) -> str:
    """One sentence saying what the definition selects."""
    text = _Describer(catalog).sentence(definition.condition, definition.audience)
    return text[:1].upper() + text[1:]

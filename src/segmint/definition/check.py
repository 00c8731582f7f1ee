"""Checking a definition against the data model: every problem, each with its path.

Checks names (audience, fields, relationships, interactions, segments), operators for
each type, value shapes and types, units, windows, reference cycles and the size limits.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from segmint.catalog import Attribute as CatalogAttribute
from segmint.catalog import AttrType, Catalog
from segmint.definition import nodes as n
from segmint.definition.load import format_path
from segmint.definition.operators import COUNT, Operator, Shape, operators_for
from segmint.errors import DefinitionError, Problem

SegmentResolver = Callable[[str], "n.Definition | None"]


@dataclass(frozen=True)
class Limits:
    """Size limits on one definition (settings `limits.*`)."""

    max_depth: int = 20
    max_conditions: int = 500
    max_list_values: int = 1000
    max_text_length: int = 1000
    max_relative: int = 100_000


@dataclass(frozen=True)
class _Scope:
    """What the fields of a condition refer to: an entity or an interaction kind."""

    kind: str  # "entity" or "interaction"
    name: str


Path = list[str | int]


class _Checker:
    def __init__(self, catalog: Catalog, limits: Limits, segments: SegmentResolver | None) -> None:
        self.catalog = catalog
        self.limits = limits
        self.segments = segments
        self.problems: list[Problem] = []
        self.count = 0

    def add(self, path: Path, message: str) -> None:
        self.problems.append(Problem(format_path(path), message))

    # --- the tree ------------------------------------------------------------------

    def condition(self, node: n.Condition, scope: _Scope, path: Path, depth: int) -> None:
        self.count += len(list(_walk(node))) if depth > self.limits.max_depth else 1
        if depth > self.limits.max_depth:
            self.add(path, f"nested deeper than the limit of {self.limits.max_depth}")
            return
        if isinstance(node, n.And | n.Or):
            for i, child in enumerate(node.conditions):
                self.condition(child, scope, [*path, "conditions", i], depth + 1)
        elif isinstance(node, n.Not):
            self.condition(node.condition, scope, [*path, "condition"], depth + 1)
        elif isinstance(node, n.Attribute):
            self.attribute(node, scope, path)
        elif isinstance(node, n.Related):
            self.related(node, scope, path, depth)
        elif isinstance(node, n.Behavior):
            self.behavior(node, scope, path, depth)
        else:
            self.in_segment(node, scope, path)

    def attribute(self, node: n.Attribute, scope: _Scope, path: Path) -> None:
        attr = self.field(node.field, scope, [*path, "field"])
        if attr is not None:
            self.test(operators_for(attr.type), attr.type, node, path)

    def field(self, name: str, scope: _Scope, path: Path) -> CatalogAttribute | None:
        if scope.kind == "interaction":
            attrs = self.catalog.interactions[scope.name].attributes
            if name not in attrs:
                known = ", ".join(attrs)
                self.add(path, f"{scope.name} has no attribute named {name!r} (it has {known})")
                return None
            return attrs[name]
        try:
            return self.catalog.resolve_field(scope.name, name).attribute
        except KeyError as exc:
            self.add(path, str(exc.args[0]))
            return None

    def related(self, node: n.Related, scope: _Scope, path: Path, depth: int) -> None:
        if scope.kind != "entity":
            self.add(path, "related conditions are not available inside a behavior's where")
            return
        rel = self.catalog.entities[scope.name].relationships.get(node.relationship)
        if rel is None:
            self.add(
                [*path, "relationship"],
                f"{scope.name} has no relationship named {node.relationship!r}",
            )
            return
        if rel.type != "one_to_many":
            self.add(
                [*path, "relationship"],
                f"{scope.name}.{rel.name} is many-to-one; "
                "use a dotted field such as "
                f"{rel.name}.<attribute> in an attribute condition",
            )
            return
        if node.count is not None:
            if node.match is not None:
                self.add([*path, "match"], "give either match or count, not both")
            self.test(COUNT, AttrType.INTEGER, node.count, [*path, "count"])
        if node.where is not None:
            self.condition(node.where, _Scope("entity", rel.target), [*path, "where"], depth + 1)

    def behavior(self, node: n.Behavior, scope: _Scope, path: Path, depth: int) -> None:
        if scope.kind != "entity":
            self.add(path, "behavior conditions are not available inside a behavior's where")
            return
        inter = self.catalog.interactions.get(node.interaction)
        if inter is None or inter.profile != scope.name:
            kinds = ", ".join(self.catalog.interactions_of(scope.name)) or "none"
            self.add(
                [*path, "interaction"],
                f"{scope.name} has no interaction named {node.interaction!r} (it has {kinds})",
            )
            return
        if node.where is not None:
            self.condition(
                node.where, _Scope("interaction", inter.name), [*path, "where"], depth + 1
            )
        if node.window is not None:
            self.window(node.window, [*path, "window"])
        tests = [t for t in (node.count, node.aggregate, node.occurrence) if t is not None]
        if len(tests) > 1:
            self.add(path, "give at most one of count, aggregate and occurrence")
        if node.count is not None:
            self.test(COUNT, AttrType.INTEGER, node.count, [*path, "count"])
        if node.occurrence is not None:
            self.test(
                operators_for(AttrType.TIMESTAMP),
                AttrType.TIMESTAMP,
                node.occurrence,
                [*path, "occurrence"],
            )
        if node.aggregate is not None:
            self.aggregate(
                node.aggregate, scope=_Scope("interaction", inter.name), path=[*path, "aggregate"]
            )

    def aggregate(self, node: n.Aggregate, scope: _Scope, path: Path) -> None:
        attr = self.field(node.field, scope, [*path, "field"])
        if attr is None:
            return
        if node.fn in ("sum", "avg"):
            if not attr.type.is_number:
                self.add(
                    [*path, "field"], f"{node.fn} needs a number; {attr.name} is {attr.type.value}"
                )
                return
            if node.fn == "sum":  # a sum is never missing: no is_empty / is_not_empty
                self.test(COUNT, AttrType.FLOAT, node, path)
                return
            result = AttrType.FLOAT
        else:
            if not (attr.type.is_number or attr.type.is_temporal):
                self.add(
                    [*path, "field"],
                    f"{node.fn} needs a number, date or timestamp; "
                    f"{attr.name} is {attr.type.value}",
                )
                return
            result = AttrType.FLOAT if attr.type.is_number else attr.type
        self.test(operators_for(result), result, node, path)

    def window(self, node: n.Window, path: Path) -> None:
        relative = node.last is not None or node.unit is not None
        absolute = node.from_ is not None or node.to is not None
        if relative and absolute:
            self.add(path, "give either last and unit, or from and/or to, not both")
        elif relative:
            if node.last is None or node.unit is None:
                self.add(path, "last and unit go together")
            elif not 0 <= node.last <= self.limits.max_relative:
                self.add(
                    [*path, "last"], f"must be a whole number from 0 to {self.limits.max_relative}"
                )
        elif absolute:
            if node.from_ and node.to and node.from_ > node.to:
                self.add(path, "from is after to")
        else:
            self.add(path, "an empty window; leave it out to count every interaction")

    def in_segment(self, node: n.InSegment, scope: _Scope, path: Path) -> None:
        if scope.kind != "entity":
            self.add(path, "segment conditions are not available inside a behavior's where")
            return
        target = self.segments(node.segment) if self.segments else None
        if target is None:
            self.add([*path, "segment"], f"unknown segment {node.segment!r}")
        elif target.audience != scope.name:
            self.add(
                [*path, "segment"],
                f"segment {node.segment!r} is about {target.audience}, not {scope.name}",
            )

    # --- operators and values ------------------------------------------------------------

    def test(
        self,
        ops: Mapping[str, Operator],
        typ: AttrType,
        node: n.Attribute | n.Comparison | n.Aggregate | n.Occurrence,
        path: Path,
    ) -> None:
        op = ops.get(node.op)
        if op is None:
            self.add(
                [*path, "op"],
                f"{node.op!r} is not an operator for {typ.value}; use one of {', '.join(ops)}",
            )
            return
        vpath = [*path, "value"]
        if op.shape is not Shape.RELATIVE and node.unit is not None:
            self.add([*path, "unit"], f"{op.name} takes no unit")
        if op.shape is Shape.NONE:
            if node.value is not None:
                self.add(vpath, f"{op.name} takes no value")
        elif op.shape is Shape.SCALAR:
            self.scalar(typ, node.value, vpath)
        elif op.shape is Shape.LIST:
            self.values(typ, node.value, vpath)
        elif op.shape is Shape.PAIR:
            self.pair(typ, node.value, vpath)
        elif op.shape is Shape.RELATIVE:
            self.whole(node.value, vpath, self.limits.max_relative)
            self.unit(typ, node.unit, [*path, "unit"])
        else:
            self.whole(node.value, vpath, 366)

    def unit(self, typ: AttrType, unit: n.TimeUnit | None, path: Path) -> None:
        if unit is None:
            self.add(path, "required: hour, day, week, month or year")
        elif unit is n.TimeUnit.HOUR and typ is not AttrType.TIMESTAMP:
            self.add(path, "hour applies to timestamps only")

    def whole(self, value: object, path: Path, high: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
            self.add(path, f"must be a whole number from 0 to {high}")

    def values(self, typ: AttrType, value: object, path: Path) -> None:
        if not isinstance(value, tuple) or not value:
            self.add(path, "must be a non-empty list")
            return
        if len(value) > self.limits.max_list_values:
            self.add(path, f"more than {self.limits.max_list_values} values")
            return
        for i, item in enumerate(value):
            self.scalar(typ, item, [*path, i])

    def pair(self, typ: AttrType, value: object, path: Path) -> None:
        if not isinstance(value, tuple) or len(value) != 2:
            self.add(path, "must be a list of two values: [low, high]")
            return
        before = len(self.problems)
        self.scalar(typ, value[0], [*path, 0])
        self.scalar(typ, value[1], [*path, 1])
        if len(self.problems) == before and value[0] > value[1]:
            self.add(path, "low is greater than high")

    def scalar(self, typ: AttrType, value: object, path: Path) -> None:
        if typ in (AttrType.STRING, AttrType.LIST):
            if not isinstance(value, str):
                self.add(path, "must be text")
            elif value == "":
                self.add(path, "must not be empty; use is_empty to find missing values")
            elif len(value) > self.limits.max_text_length:
                self.add(path, f"longer than {self.limits.max_text_length} characters")
        elif typ is AttrType.INTEGER:
            if isinstance(value, bool) or not isinstance(value, int):
                self.add(path, "must be a whole number")
            elif abs(value) >= 2**63:
                self.add(path, "out of range")
        elif typ is AttrType.FLOAT:
            if isinstance(value, bool) or not isinstance(value, int | float):
                self.add(path, "must be a number")
            elif not math.isfinite(value) or abs(value) > 1e300:
                self.add(path, "must be a finite number")
        elif typ.is_temporal:
            if not isinstance(value, str) or not _is_iso_date(value):
                self.add(path, "must be a date written YYYY-MM-DD")
        else:
            self.add(path, "takes no value")


def _walk(node: n.Condition) -> Iterator[n.Condition]:
    """Every condition node of a subtree, the subtree's root first."""
    yield node
    if isinstance(node, n.And | n.Or):
        for child in node.conditions:
            yield from _walk(child)
    elif isinstance(node, n.Not):
        yield from _walk(node.condition)
    elif isinstance(node, n.Related | n.Behavior) and node.where is not None:
        yield from _walk(node.where)


def _is_iso_date(text: str) -> bool:
    if len(text) != 10:
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def referenced_segments(condition: n.Condition) -> Iterator[tuple[Path, str]]:
    """Every in_segment key in a tree, with the path to it."""

    def walk(node: n.Condition, path: Path) -> Iterator[tuple[Path, str]]:
        if isinstance(node, n.InSegment):
            yield path, node.segment
        elif isinstance(node, n.And | n.Or):
            for i, child in enumerate(node.conditions):
                yield from walk(child, [*path, "conditions", i])
        elif isinstance(node, n.Not):
            yield from walk(node.condition, [*path, "condition"])
        elif isinstance(node, n.Related) and node.where is not None:
            yield from walk(node.where, [*path, "where"])

    return walk(condition, ["condition"])


def _cycles(
    key: str | None, definition: n.Definition, segments: SegmentResolver | None
) -> Iterator[Problem]:
    """A problem for each reference of the definition that leads back into a cycle."""
    if segments is None:
        return
    root = key or "(this definition)"
    acyclic: set[str] = set()

    def refs(current: str) -> list[str]:
        target = definition if current == root else segments(current)
        return [] if target is None else [r for _, r in referenced_segments(target.condition)]

    def find(current: str, trail: list[str]) -> list[str] | None:
        if current in trail:
            return [*trail[trail.index(current) :], current]
        if current in acyclic:
            return None
        for nxt in refs(current):
            found = find(nxt, [*trail, current])
            if found:
                return found
        acyclic.add(current)
        return None

    for path, ref in referenced_segments(definition.condition):
        cycle = find(ref, [root])
        if cycle:
            yield Problem(format_path(path), "reference cycle: " + " → ".join(cycle))


def check_definition(
    catalog: Catalog,
    definition: n.Definition,
    *,
    key: str | None = None,
    limits: Limits | None = None,
    segments: SegmentResolver | None = None,
) -> list[Problem]:
    """Every problem of a definition against the data model; empty when it is valid."""
    checker = _Checker(catalog, limits or Limits(), segments)
    entity = catalog.entities.get(definition.audience)
    if entity is None or not entity.audience:
        checker.add(
            ["audience"],
            f"{definition.audience!r} is not an audience; use one of "
            f"{', '.join(catalog.audiences())}",
        )
    try:
        zoneinfo.ZoneInfo(definition.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        checker.add(
            ["timezone"],
            f"unknown time zone {definition.timezone!r} (use an IANA name such as Europe/Berlin)",
        )
    if entity is not None and entity.audience:
        checker.condition(definition.condition, _Scope("entity", entity.name), ["condition"], 1)
        checker.problems.extend(_cycles(key, definition, segments))
    if checker.count > checker.limits.max_conditions:
        checker.add(
            ["condition"],
            f"{checker.count} conditions; the limit is {checker.limits.max_conditions}",
        )
    return checker.problems


def ensure_valid(
    catalog: Catalog,
    definition: n.Definition,
    *,
    where: str = "definition",
    key: str | None = None,
    limits: Limits | None = None,
    segments: SegmentResolver | None = None,
) -> None:
    """Raise DefinitionError listing every problem, or return quietly."""
    problems = check_definition(catalog, definition, key=key, limits=limits, segments=segments)
    if problems:
        raise DefinitionError(f"{where} is not a valid definition", problems)

"""Explain plans: for one profile, each condition of the tree with the expressions deciding it.

The plan is pure (Ibis expressions); an engine executes it and fills in the results.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import ibis
import ibis.expr.types as ir

from segmint.catalog import Catalog
from segmint.compiler.compile import (
    Context,
    Scope,
    behavior_measure,
    behavior_rows,
    condition,
)
from segmint.compiler.tables import Tables
from segmint.compiler.timeline import Clock
from segmint.definition import nodes as n
from segmint.definition.check import SegmentResolver
from segmint.definition.describe import describe
from segmint.definition.load import format_path


@dataclass
class Step:
    """One condition of the tree for one profile: its verdict and the values behind it."""

    path: str
    type: str
    text: str  # the condition as a sentence
    test: ir.Value  # scalar boolean for the profile
    values: dict[str, ir.Value]  # name -> scalar expression
    children: list[Step] = field(default_factory=list)


def _scalar(table: ir.Table, key_col: str, profile: Any, expr: ir.BooleanValue) -> ir.Value:
    return table.filter(table[key_col] == ibis.literal(profile)).select(v=expr).v.max()


def _field_value(ctx: Context, entity: str, path: str, profile: Any) -> ir.Value:
    """The value of a (dotted) field for one profile, as a scalar expression."""
    table = ctx.tables.entity(entity)
    key: ir.Value = ibis.literal(profile)
    current = table.filter(table[ctx.catalog.entities[entity].key] == key)
    for hop in ctx.catalog.resolve_field(entity, path).hops:
        fk = current[hop.foreign_key].arbitrary().as_scalar()
        target = ctx.tables.entity(hop.target)
        current = target.filter(target[ctx.catalog.entities[hop.target].key] == fk)
    return current[path.rsplit(".", 1)[-1]].arbitrary()


def plan_explain(
    catalog: Catalog,
    definition: n.Definition,
    profile: Any,
    *,
    as_of: Any,
    segments: SegmentResolver | None = None,
) -> Step:
    """The explain plan of a definition for one profile key."""
    tables = Tables(catalog)
    ctx = Context(catalog, tables, Clock.at(as_of, definition.timezone), segments)
    return _step(definition.condition, definition, ctx, ["condition"], profile)


def _step(
    node: n.Condition,
    definition: n.Definition,
    ctx: Context,
    path: list[str | int],
    profile: Any,
) -> Step:
    audience = definition.audience
    entity = ctx.catalog.entities[audience]
    table = ctx.tables.entity(audience)
    pred = condition(node, Scope(table, audience), ctx)
    text = describe(
        n.Definition(audience=audience, timezone=definition.timezone, condition=node), ctx.catalog
    )
    step = Step(format_path(path), node.type, text, _scalar(table, entity.key, profile, pred), {})
    if isinstance(node, n.And | n.Or):
        step.children = [
            _step(c, definition, ctx, [*path, "conditions", i], profile)
            for i, c in enumerate(node.conditions)
        ]
    elif isinstance(node, n.Not):
        step.children = [_step(node.condition, definition, ctx, [*path, "condition"], profile)]
    elif isinstance(node, n.Attribute):
        step.values[node.field] = _field_value(ctx, audience, node.field, profile)
    elif isinstance(node, n.Related):
        rel = entity.relationships[node.relationship]
        target = ctx.tables.entity(rel.target)
        mine = target.filter(target[rel.foreign_key] == ibis.literal(profile))
        step.values["related records"] = mine.count()
        if node.where is not None:
            where = condition(node.where, Scope(mine, rel.target), ctx)
            step.values["matching records"] = mine.filter(where).count()
    elif isinstance(node, n.Behavior):
        inter = ctx.catalog.interactions[node.interaction]
        rows = behavior_rows(node, ctx)
        mine = rows.filter(rows[inter.profile_key] == ibis.literal(profile))
        step.values["matching interactions"] = mine.count()
        measure = behavior_measure(node, ctx)
        if node.aggregate is not None:
            step.values[f"{node.aggregate.fn} of {node.aggregate.field}"] = measure.value(mine)
        elif node.occurrence is not None:
            step.values[f"{node.occurrence.which} time"] = measure.value(mine)
    elif isinstance(node, n.InSegment) and ctx.segments is not None:
        target = ctx.segments(node.segment)
        if target is not None:
            inner = replace(ctx, clock=ctx.clock.in_zone(target.timezone), depth=ctx.depth + 1)
            step.children = [
                _step(target.condition, target, inner, [node.segment, "condition"], profile)
            ]
    return step

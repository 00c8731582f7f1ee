"""Conjunctions compiled with shared work: conditions of one *and* that read the same rows
become one subquery instead of one each.

- behavior conditions on the same interaction with the same window and where: one GROUP BY
  computing every reduction (a count and a last time, say), tested together;
- related-record conditions over the same relationship: one GROUP BY of the related rows
  (a count, "all match", "none match" side by side), and "all match" alone in one scan
  instead of two;
- attribute conditions through the same many-to-one hop: one lookup of the target rows.

Each fused group keeps the per-profile meaning of its members: a profile with rows passes
when every member's test holds; a profile without rows passes when every member lets a
profile without rows pass. The reference-evaluator property tests hold the compiler to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from segmint.catalog import AttrType
from segmint.compiler.compile import (
    Context,
    Scope,
    attribute_on,
    behavior_measure,
    behavior_rows,
    condition,
    member_of,
    restricted,
)
from segmint.compiler.predicates import value_test
from segmint.definition import nodes as n
from segmint.definition.operators import compare_numbers


def conjunction(
    conditions: Sequence[n.Condition], scope: Scope, ctx: Context
) -> list[ir.BooleanValue]:
    """The tests of an *and*'s conditions, fused where they read the same rows."""
    if scope.entity is None:  # inside a behavior's where: plain row tests
        return [condition(c, scope, ctx) for c in conditions]
    groups: dict[tuple[Any, ...], list[Any]] = {}
    order: list[tuple[Any, ...]] = []
    for i, cond in enumerate(conditions):
        key = _fusion_key(cond, scope, ctx) or ("alone", i)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(cond)
    tests = []
    for key in order:
        members = groups[key]
        kind = key[0]
        if kind == "behavior" and len(members) > 1:
            tests.append(_behaviors(members, scope, ctx))
        elif kind == "related" and (len(members) > 1 or members[0].match == "all"):
            tests.append(_related(members, scope, ctx))
        elif kind == "hop" and len(members) > 1:
            tests.append(_hop(members, scope, ctx))
        else:
            tests.extend(condition(c, scope, ctx) for c in members)
    return tests


def _fusion_key(cond: n.Condition, scope: Scope, ctx: Context) -> tuple[Any, ...] | None:
    if isinstance(cond, n.Behavior):
        measure = behavior_measure(cond, ctx)
        if measure.row_test is not None or measure.no_row_test is not None:
            return None  # an existence check: a (anti-)semi-join is already the cheapest
        where = cond.where.model_dump_json() if cond.where is not None else None
        window = cond.window.model_dump_json() if cond.window is not None else None
        return ("behavior", cond.interaction, window, where)
    if isinstance(cond, n.Related):
        return ("related", cond.relationship)
    if isinstance(cond, n.Attribute) and cond.op != "is_empty":
        ref = ctx.catalog.resolve_field(str(scope.entity), cond.field)
        if ref.hops:
            return ("hop", ref.hops[0].name)
    return None


def _key(scope: Scope, ctx: Context) -> ir.Value:
    return scope.table[ctx.catalog.entities[str(scope.entity)].key]


def _behaviors(members: list[n.Behavior], scope: Scope, ctx: Context) -> ir.BooleanValue:
    """Behavior conditions over the same rows: one GROUP BY with every reduction."""
    pk = ctx.catalog.interactions[members[0].interaction].profile_key
    rows = restricted(behavior_rows(members[0], ctx), pk, scope, ctx)
    measures = [behavior_measure(m, ctx) for m in members]
    absent = all(m.when_absent for m in measures)  # the holds are negated then: strict
    grouped = rows.group_by(pk).agg(**{f"v{i}": m.value(rows) for i, m in enumerate(measures)})
    hold = ibis.and_(
        *(
            value_test(grouped[f"v{i}"], m.type, m.op, m.operand, m.unit, ctx.clock, absent)
            for i, m in enumerate(measures)
        )
    )
    return member_of(_key(scope, ctx), grouped, pk, hold, absent, ctx.strict)


def _related(members: list[n.Related], scope: Scope, ctx: Context) -> ir.BooleanValue:
    """Related-record conditions over one relationship: one GROUP BY of the related rows."""
    entity = ctx.catalog.entities[str(scope.entity)]
    rel = entity.relationships[members[0].relationship]
    target = ctx.tables.entity(rel.target)
    linked = restricted(
        target.filter(target[rel.foreign_key].notnull()), rel.foreign_key, scope, ctx
    )
    values: dict[str, ir.Value] = {}
    tests: list[tuple[str, n.Related]] = []
    for i, node in enumerate(members):
        where = (
            condition(node.where, Scope(linked, rel.target), ctx.exact())  # aggregated
            if node.where is not None
            else linked[rel.foreign_key].notnull()  # a column that is true on every row
        )
        name = f"v{i}"
        if node.count is not None:
            values[name] = where.ifelse(1, 0).sum() if node.where is not None else linked.count()
        elif node.match == "all":
            values[name] = where.all()
        else:  # any or none: whether some related record matches
            values[name] = where.any()
        tests.append((name, node))
    grouped = linked.group_by(rel.foreign_key).agg(**values)
    holds = []
    absent = True
    for name, node in tests:
        col = grouped[name]
        if node.count is not None:
            holds.append(
                value_test(col, AttrType.INTEGER, node.count.op, node.count.value, None, ctx.clock)
            )
            absent &= compare_numbers(node.count.op, 0, node.count.value)
        elif node.match == "none":
            holds.append(~col)
        else:  # any, all: a profile without related records fails
            holds.append(col)
            absent = False
    hold = ibis.and_(*holds)
    return member_of(_key(scope, ctx), grouped, rel.foreign_key, hold, absent, ctx.strict)


def _hop(members: list[n.Attribute], scope: Scope, ctx: Context) -> ir.BooleanValue:
    """Attribute tests through the same many-to-one hop: one lookup of the target rows.
    None of them is `is_empty`, so a profile without a target row fails them all."""
    entity = str(scope.entity)
    hop = ctx.catalog.resolve_field(entity, members[0].field).hops[0]
    target = ctx.tables.entity(hop.target)
    target_key = ctx.catalog.entities[hop.target].key
    holds = [
        attribute_on(
            m.model_copy(update={"field": m.field.split(".", 1)[1]}),
            Scope(target, hop.target),
            ctx.loose(),  # a filter of the target rows
        )
        for m in members
    ]
    hold = ibis.and_(*holds)
    return member_of(scope.table[hop.foreign_key], target, target_key, hold, False, ctx.strict)

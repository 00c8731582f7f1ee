"""Definition to Ibis: one handler per node type, each giving a strict boolean over a table.

Set-like conditions (many-to-one paths, related records, behavior) become `key IN (subquery)`
tests. When a condition also holds for profiles with *no* rows in the subquery (a count of
zero, `is_empty` on a missing value), it is compiled as `NOT key IN (rows that fail)`, so
every profile is decided without outer joins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import ibis
import ibis.expr.types as ir

from segmint.catalog import AttrType, Catalog
from segmint.compiler.predicates import value_test
from segmint.compiler.tables import Tables
from segmint.compiler.timeline import Clock
from segmint.definition import nodes as n
from segmint.definition.check import SegmentResolver
from segmint.definition.operators import compare_numbers
from segmint.errors import DefinitionError, InternalError, Problem


@dataclass(frozen=True)
class Scope:
    """Where a condition is evaluated: which table, of which entity or interaction."""

    table: ir.Table
    entity: str | None  # an entity name, or None inside a behavior's where
    interaction: str | None = None
    root: bool = False  # the audience's own rows (not a related entity's)


@dataclass(frozen=True)
class Context:
    """What every handler needs: the catalog's tables, the clock, the segment resolver."""

    catalog: Catalog
    tables: Tables
    clock: Clock
    segments: SegmentResolver | None
    stored: StoredResolver | None = None  # read these segments' stored members instead
    # Only these audience keys (a table of text keys `k`) need a right answer: rows of other
    # profiles may be left out of the audience's interactions and related records.
    only: ir.Table | None = None
    depth: int = 0  # in_segment nesting, guarded against cycles the checker would reject
    # Whether a test must be a strict boolean (never NULL). It must under a not and in an
    # aggregate; it need not where a NULL test just leaves a row out, as false would: in a
    # WHERE under and/or only (three-valued logic picks the same rows there).
    strict: bool = True

    def loose(self) -> Context:
        """This context where a NULL test counts as false."""
        return replace(self, strict=False) if self.strict else self

    def exact(self) -> Context:
        """This context where every test must be a strict boolean."""
        return self if self.strict else replace(self, strict=True)


Handler = Callable[[Any, Scope, Context], ir.BooleanValue]
# For compound segments: a segment key -> (its engine member table, the version to read).
StoredResolver = Callable[[str], "tuple[str, int] | None"]
HANDLERS: dict[type[n.Node], Handler] = {}


def handles(node_type: type[n.Node]) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[node_type] = fn
        return fn

    return register


def condition(node: n.Condition, scope: Scope, ctx: Context) -> ir.BooleanValue:
    """Compile one condition to a strict boolean over `scope.table`."""
    handler = HANDLERS.get(type(node))
    if handler is None:
        raise InternalError(f"no compiler handler for node type {type(node).__name__}")
    return handler(node, scope, ctx)


def _entity(scope: Scope) -> str:
    if scope.entity is None:  # the checker keeps entity conditions out of behavior wheres
        raise InternalError("an entity condition inside a behavior's where")
    return scope.entity


def within(col: ir.Value, keys: ir.Value, strict: bool = True) -> ir.BooleanValue:
    """`col IN (keys)`, strict unless told otherwise: `keys` holds no NULLs (every subquery
    here filters them out), so guarding `col` is enough, and a plain IN stays a semi-join the
    engine can plan well (a COALESCE around it would not)."""
    return col.notnull() & col.isin(keys) if strict else col.isin(keys)


def restricted(rows: ir.Table, owner: str, scope: Scope, ctx: Context) -> ir.Table:
    """`rows` of the audience's profiles (owned through column `owner`), cut down to the
    profiles that need an answer when the query evaluates only some of them."""
    if ctx.only is None or not scope.root:
        return rows
    col = rows[owner]
    text = col if col.type().is_string() else col.cast("string")
    return rows.filter(text.isin(ctx.only.k))


def member_of(
    col: ir.Value,
    keys: ir.Table,
    key_col: str,
    hold: ir.BooleanValue,
    when_absent: bool,
    strict: bool = True,
) -> ir.BooleanValue:
    """Profiles whose rows in `keys` pass `hold`; profiles with no row there pass iff
    `when_absent`. `keys` must have at most one row per key when `when_absent` is true,
    and `hold` must then be strict (it is negated)."""
    if when_absent:
        return ~within(col, keys.filter(~hold)[key_col])
    return within(col, keys.filter(hold)[key_col], strict)


@handles(n.And)
def _and(node: n.And, scope: Scope, ctx: Context) -> ir.BooleanValue:
    from segmint.compiler.fusion import conjunction  # fusion builds on this module

    return ibis.and_(*conjunction(node.conditions, scope, ctx))


@handles(n.Or)
def _or(node: n.Or, scope: Scope, ctx: Context) -> ir.BooleanValue:
    return ibis.or_(*(condition(c, scope, ctx) for c in node.conditions))


@handles(n.Not)
def _not(node: n.Not, scope: Scope, ctx: Context) -> ir.BooleanValue:
    return ~condition(node.condition, scope, ctx.exact())


@handles(n.Attribute)
def attribute_on(node: n.Attribute, scope: Scope, ctx: Context) -> ir.BooleanValue:
    """An attribute test on the scope's table, following many-to-one hops."""
    if scope.entity is None:
        typ = ctx.catalog.interactions[str(scope.interaction)].attributes[node.field].type
        return value_test(
            scope.table[node.field], typ, node.op, node.value, node.unit, ctx.clock, ctx.strict
        )
    ref = ctx.catalog.resolve_field(scope.entity, node.field)
    if not ref.hops:
        col = scope.table[node.field]
        return value_test(
            col, ref.attribute.type, node.op, node.value, node.unit, ctx.clock, ctx.strict
        )
    # Follow the first hop: test the rest of the path on the target entity.
    hop = ref.hops[0]
    target = ctx.tables.entity(hop.target)
    target_key = ctx.catalog.entities[hop.target].key
    rest = node.model_copy(update={"field": node.field.split(".", 1)[1]})
    matches_missing = node.op == "is_empty"
    inner = ctx.exact() if matches_missing else ctx.loose()
    hold = attribute_on(rest, Scope(target, hop.target), inner)
    return member_of(
        scope.table[hop.foreign_key], target, target_key, hold, matches_missing, ctx.strict
    )


@handles(n.Related)
def _related(node: n.Related, scope: Scope, ctx: Context) -> ir.BooleanValue:
    rel = ctx.catalog.entities[_entity(scope)].relationships[node.relationship]
    key = scope.table[ctx.catalog.entities[_entity(scope)].key]
    target = ctx.tables.entity(rel.target)
    linked = restricted(
        target.filter(target[rel.foreign_key].notnull()), rel.foreign_key, scope, ctx
    )
    negated = node.count is None and node.match == "all"  # the rows that fail are sought
    inner = ctx.exact() if negated else ctx.loose()
    where = (
        condition(node.where, Scope(linked, rel.target), inner)
        if node.where is not None
        else ibis.literal(True)
    )
    if node.count is not None:
        matched = linked.filter(where)
        counts = matched.group_by(rel.foreign_key).agg(n=matched.count())
        zero = compare_numbers(node.count.op, 0, node.count.value)
        hold = value_test(
            counts.n, AttrType.INTEGER, node.count.op, node.count.value, None, ctx.clock, zero
        )
        return member_of(key, counts, rel.foreign_key, hold, zero, ctx.strict)
    if node.match in (None, "any"):
        return within(key, linked.filter(where)[rel.foreign_key], ctx.strict)
    if node.match == "none":
        return ~within(key, linked.filter(where)[rel.foreign_key])
    has_any = within(key, linked[rel.foreign_key], ctx.strict)
    some_fail = within(key, linked.filter(~where)[rel.foreign_key])
    return has_any & ~some_fail


def _window(node: n.Window | None, ts: ir.Value, ctx: Context) -> ir.BooleanValue:
    """Interactions up to as_of, inside the window if there is one."""
    k = ctx.clock
    test = ts <= ibis.literal(k.now_utc, type="timestamp")
    if node is None:
        return test
    if node.last is not None and node.unit is not None:
        if node.unit is n.TimeUnit.HOUR:
            low = k.hours(-node.last)
        else:
            low = k.day_start(k.relative(-node.last, node.unit))
        return test & (ts >= ibis.literal(low, type="timestamp"))
    if node.from_ is not None:
        test &= ts >= ibis.literal(k.day_start(node.from_), type="timestamp")
    if node.to is not None:
        test &= ts < ibis.literal(k.day_after(node.to), type="timestamp")
    return test


def behavior_rows(node: n.Behavior, ctx: Context) -> ir.Table:
    """The interactions a behavior condition looks at: its kind, window and where."""
    inter = ctx.catalog.interactions[node.interaction]
    table = ctx.tables.interaction(node.interaction)
    keep = table[inter.profile_key].notnull() & _window(node.window, table[inter.timestamp], ctx)
    if node.where is not None:
        keep &= condition(node.where, Scope(table, None, inter.name), ctx.loose())
    return table.filter(keep)


@dataclass(frozen=True)
class Measure:
    """What a behavior condition computes per profile, and the test on it."""

    value: Callable[[ir.Table], ir.Value]  # the per-profile reduction of the rows
    type: AttrType
    op: str
    operand: Any
    unit: n.TimeUnit | None
    when_absent: bool  # whether a profile with no rows passes
    # When the test on the reduction holds exactly when some row passes a row test (the
    # first time before a day, the most at least some amount), that row test: the condition
    # is then an existence check, a semi-join over a scan the time order can prune.
    row_test: Callable[[ir.Table], ir.BooleanValue] | None = None
    # When the test holds exactly when no row passes a row test (never, no value at all),
    # that row test: the condition is then an anti-join, no reduction needed.
    no_row_test: Callable[[ir.Table], ir.BooleanValue] | None = None


# Reductions whose test holds iff some row passes the same test: a minimum below a bound,
# a maximum above one (the rows are already limited to as_of, so "in the last" is a lower
# bound only), a first or last time that exists at all.
_EXISTS_IF_MIN: frozenset[str] = frozenset({"before", "more_than_ago", "lt", "lte", "is_not_empty"})
_EXISTS_IF_MAX: frozenset[str] = frozenset({"after", "in_last", "gt", "gte", "is_not_empty"})


def any_row(_rows: ir.Table) -> ir.BooleanValue:
    """The row test of "at least once": every row passes."""
    return ibis.literal(True)


def _row_test(
    column: str, typ: AttrType, reduction: str, op: str, operand: Any, unit: Any, clock: Clock
) -> Callable[[ir.Table], ir.BooleanValue] | None:
    ops = _EXISTS_IF_MIN if reduction == "min" else _EXISTS_IF_MAX
    if op not in ops:
        return None
    return lambda r: value_test(r[column], typ, op, operand, unit, clock, strict=False)


def _valued(field: str) -> Callable[[ir.Table], ir.BooleanValue]:
    """The row test of "has a value": for reductions that are empty only without one."""
    return lambda r: r[field].notnull()


def behavior_measure(node: n.Behavior, ctx: Context) -> Measure:
    """The reduction a behavior condition tests (count by default)."""
    inter = ctx.catalog.interactions[node.interaction]
    if node.occurrence is not None:
        occ = node.occurrence
        ts = inter.timestamp
        reduction = "min" if occ.which == "first" else "max"
        return Measure(
            (lambda r: r[ts].min()) if reduction == "min" else (lambda r: r[ts].max()),
            AttrType.TIMESTAMP,
            occ.op,
            occ.value,
            occ.unit,
            occ.op == "is_empty",
            _row_test(ts, AttrType.TIMESTAMP, reduction, occ.op, occ.value, occ.unit, ctx.clock),
            any_row if occ.op == "is_empty" else None,
        )
    agg = node.aggregate
    if agg is None:
        count = node.count or n.Comparison(op="gte", value=1)
        at_least_one = (count.op, count.value) in (("gte", 1), ("gt", 0))
        never = (count.op, count.value) in (("eq", 0), ("lte", 0), ("lt", 1))
        return Measure(
            lambda r: r.count(),
            AttrType.INTEGER,
            count.op,
            count.value,
            None,
            compare_numbers(count.op, 0, count.value),
            any_row if at_least_one else None,
            any_row if never else None,
        )
    ftype = inter.attributes[agg.field].type
    field = agg.field
    if agg.fn == "sum":
        return Measure(
            lambda r: ibis.coalesce(r[field].sum(), 0).cast("float64"),
            AttrType.FLOAT,
            agg.op,
            agg.value,
            None,
            compare_numbers(agg.op, 0.0, agg.value),
        )
    valued = _valued(field) if agg.op == "is_empty" else None  # no value at all
    if agg.fn == "avg":
        return Measure(
            lambda r: r[field].mean(),
            AttrType.FLOAT,
            agg.op,
            agg.value,
            None,
            agg.op == "is_empty",
            None,
            valued,
        )
    if ftype.is_number:
        reduce_number: Callable[[ir.Table], ir.Value] = (
            (lambda r: r[field].min().cast("float64"))
            if agg.fn == "min"
            else (lambda r: r[field].max().cast("float64"))
        )
        return Measure(
            reduce_number,
            AttrType.FLOAT,
            agg.op,
            agg.value,
            agg.unit,
            agg.op == "is_empty",
            _row_test(field, AttrType.FLOAT, agg.fn, agg.op, agg.value, agg.unit, ctx.clock),
            valued,
        )
    return Measure(
        (lambda r: r[field].min()) if agg.fn == "min" else (lambda r: r[field].max()),
        ftype,
        agg.op,
        agg.value,
        agg.unit,
        agg.op == "is_empty",
        None,
        valued if ftype is not AttrType.STRING else None,  # '' counts as missing too
    )


@handles(n.Behavior)
def _behavior(node: n.Behavior, scope: Scope, ctx: Context) -> ir.BooleanValue:
    key = scope.table[ctx.catalog.entities[_entity(scope)].key]
    pk = ctx.catalog.interactions[node.interaction].profile_key
    rows = restricted(behavior_rows(node, ctx), pk, scope, ctx)
    measure = behavior_measure(node, ctx)
    if measure.row_test is any_row:
        return within(key, rows[pk], ctx.strict)
    if measure.row_test is not None:
        return within(key, rows.filter(measure.row_test(rows))[pk], ctx.strict)
    if measure.no_row_test is any_row:
        return ~within(key, rows[pk])
    if measure.no_row_test is not None:
        return ~within(key, rows.filter(measure.no_row_test(rows))[pk])
    grouped = rows.group_by(pk).agg(v=measure.value(rows))
    hold = value_test(
        grouped.v,
        measure.type,
        measure.op,
        measure.operand,
        measure.unit,
        ctx.clock,
        measure.when_absent,
    )
    return member_of(key, grouped, pk, hold, measure.when_absent, ctx.strict)


@handles(n.InSegment)
def _in_segment(node: n.InSegment, scope: Scope, ctx: Context) -> ir.BooleanValue:
    found = ctx.stored(node.segment) if ctx.stored else None
    if found is not None:
        table_name, version = found
        entity = ctx.catalog.entities[_entity(scope)]
        key = scope.table[entity.key]
        members = ibis.table(
            {"segment": "string", "version": "int32", "key": key.type()}, name=table_name
        )
        chosen = members.filter(
            (members.segment == ibis.literal(node.segment, type="string"))
            & (members.version == ibis.literal(version, type="int32"))
        )
        return within(key, chosen.key, ctx.strict)
    target = ctx.segments(node.segment) if ctx.segments else None
    if target is None:
        raise DefinitionError(
            "definition is not valid", [Problem("segment", f"unknown segment {node.segment!r}")]
        )
    if ctx.depth > 50:
        raise DefinitionError("segment references nest too deep (is there a cycle?)")
    inner = replace(ctx, clock=ctx.clock.in_zone(target.timezone), depth=ctx.depth + 1)
    return condition(target.condition, scope, inner)


def compile_predicate(
    catalog: Catalog,
    definition: n.Definition,
    *,
    as_of: Any,
    segments: SegmentResolver | None = None,
    tables: Tables | None = None,
    stored: StoredResolver | None = None,
    stand_in: Any = None,
    only: ir.Table | None = None,
) -> tuple[ir.Table, ir.BooleanValue]:
    """The audience table and the strict boolean selecting the definition's members.

    With `stand_in`, that instant is written wherever as_of itself appears, so the SQL can
    be kept and the real as_of bound as a parameter (local dates still use `as_of`).
    With `only`, the answer needs to be right for those audience keys only.
    """
    tables = tables or Tables(catalog)
    clock = Clock.at(as_of, definition.timezone, stand_in)
    # The root test is the query's WHERE: a NULL test there leaves a profile out, as false does.
    ctx = Context(catalog, tables, clock, segments, stored, strict=False, only=only)
    audience = tables.entity(definition.audience)
    root = Scope(audience, definition.audience, root=True)
    key = catalog.entities[definition.audience].key
    audience = restricted(audience, key, root, ctx)  # no test on profiles not asked about
    root = Scope(audience, definition.audience, root=True)
    return audience, condition(definition.condition, root, ctx)

"""What a definition depends on: which tables, which time columns, which time zones.

Incremental refresh uses this to decide which profiles can have changed membership since
the last version: profiles whose rows (or related rows) changed, and profiles with a time
value that the move of `as_of` carried across a boundary. A definition that uses hour
units depends on the exact instant, so it is always refreshed in full.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from segmint.catalog import AttrType, Catalog
from segmint.definition import nodes as n
from segmint.definition.check import SegmentResolver

# How a definition reaches a table from its audience: the relationships followed, each as
# (the entity it starts from, its name), in order; empty for the audience itself.
Path = tuple[tuple[str, str], ...]


@dataclass
class Dependencies:
    """The tables, time columns and zones a definition (with its references) reads."""

    entities: set[str] = field(default_factory=set)  # entity tables read
    interactions: set[str] = field(default_factory=set)  # interaction tables read
    # (table, column) of timestamp values compared with as_of (windows, cut-offs, relative ops)
    instants: set[tuple[str, str]] = field(default_factory=set)
    timezones: set[str] = field(default_factory=set)
    hourly: bool = False  # uses hour units: depends on the exact instant of as_of
    # Every (path, table) read: an entity's rows at the end of a path, or the interactions
    # of the entity there. A changed row affects the profiles that reach it by a path.
    reads: set[tuple[Path, str]] = field(default_factory=set)
    references: set[str] = field(default_factory=set)  # segments referenced, at any depth

    @property
    def tables(self) -> set[str]:
        return self.entities | self.interactions


RELATIVE = {"in_last", "in_next", "more_than_ago", "anniversary_within"}


class _Walker:
    def __init__(self, catalog: Catalog, segments: SegmentResolver | None) -> None:
        self.catalog = catalog
        self.segments = segments
        self.found = Dependencies()
        self.seen: set[tuple[Path, str]] = set()

    def definition(self, defn: n.Definition, path: Path = ()) -> None:
        self.found.timezones.add(defn.timezone)
        self.found.entities.add(defn.audience)
        self.found.reads.add((path, defn.audience))
        self.walk(defn.condition, defn.audience, None, path)

    def walk(
        self, node: n.Condition, entity: str | None, interaction: str | None, path: Path
    ) -> None:
        if isinstance(node, n.And | n.Or):
            for child in node.conditions:
                self.walk(child, entity, interaction, path)
        elif isinstance(node, n.Not):
            self.walk(node.condition, entity, interaction, path)
        elif isinstance(node, n.Attribute):
            self.attribute(node, entity, interaction, path)
        elif isinstance(node, n.Related) and entity is not None:
            rel = self.catalog.entities[entity].relationships[node.relationship]
            self.found.entities.add(rel.target)
            further = (*path, (entity, rel.name))
            self.found.reads.add((further, rel.target))
            if node.where is not None:
                self.walk(node.where, rel.target, None, further)
        elif isinstance(node, n.Behavior):
            self.behavior(node, path)
        elif isinstance(node, n.InSegment) and (path, node.segment) not in self.seen:
            self.seen.add((path, node.segment))
            self.found.references.add(node.segment)
            target = self.segments(node.segment) if self.segments else None
            if target is not None:
                self.definition(target, path)

    def behavior(self, node: n.Behavior, path: Path) -> None:
        inter = self.catalog.interactions[node.interaction]
        self.found.interactions.add(inter.name)
        self.found.reads.add((path, inter.name))
        self.found.instants.add((inter.name, inter.timestamp))  # every behavior cuts at as_of
        units = [t.unit for t in (node.count, node.aggregate, node.occurrence) if t is not None]
        if node.window is not None:
            units.append(node.window.unit)
        if n.TimeUnit.HOUR in units:
            self.found.hourly = True
        agg = node.aggregate
        if (
            agg is not None
            and agg.op in RELATIVE
            and inter.attributes[agg.field].type is AttrType.TIMESTAMP
        ):
            self.found.instants.add((inter.name, agg.field))
        if node.where is not None:
            self.walk(node.where, None, inter.name, path)

    def attribute(
        self, node: n.Attribute, entity: str | None, interaction: str | None, path: Path
    ) -> None:
        if node.unit is n.TimeUnit.HOUR:
            self.found.hourly = True
        if interaction is not None:
            typ = self.catalog.interactions[interaction].attributes[node.field].type
            if typ is AttrType.TIMESTAMP and node.op in RELATIVE:
                self.found.instants.add((interaction, node.field))
            return
        if entity is None:
            return
        ref = self.catalog.resolve_field(entity, node.field)
        holder = entity
        for hop in ref.hops:
            self.found.entities.add(hop.target)
            path = (*path, (holder, hop.name))
            self.found.reads.add((path, hop.target))
            holder = hop.target
        if ref.attribute.type is AttrType.TIMESTAMP and node.op in RELATIVE:
            self.found.instants.add((holder, ref.attribute.name))


def dependencies(
    catalog: Catalog, definition: n.Definition, segments: SegmentResolver | None = None
) -> Dependencies:
    """Everything a definition reads, following `in_segment` references."""
    walker = _Walker(catalog, segments)
    walker.definition(definition)
    return walker.found

"""The data model: entities, attributes and their types, relationships and interactions.

`model.yaml` is parsed into a `ModelSpec` (types may be left out there); once the sources
are loaded, `resolve_catalog` merges the declared types with the types inferred from the
data into a `Catalog`, the single place the checker and the compiler look names up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from segmint.errors import ModelError, Problem

NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
RESERVED_PREFIX = "segmint_"


class AttrType(StrEnum):
    """The value types an attribute can have; each has its own set of operators."""

    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"
    TIMESTAMP = "timestamp"
    LIST = "list"  # a list of strings, e.g. interests or tags

    @property
    def is_number(self) -> bool:
        return self in (AttrType.INTEGER, AttrType.FLOAT)

    @property
    def is_temporal(self) -> bool:
        return self in (AttrType.DATE, AttrType.TIMESTAMP)


class SourceFormat(StrEnum):
    """File formats a source can be read from."""

    CSV = "csv"
    PARQUET = "parquet"
    JSONL = "jsonl"


_EXTENSIONS = {
    ".csv": SourceFormat.CSV,
    ".parquet": SourceFormat.PARQUET,
    ".pq": SourceFormat.PARQUET,
    ".jsonl": SourceFormat.JSONL,
    ".ndjson": SourceFormat.JSONL,
    ".json": SourceFormat.JSONL,
}


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceSpec(_Spec):
    """Where an entity's rows come from: a file relative to the workspace."""

    path: str  # relative to the workspace folder, e.g. data/contacts.csv
    format: SourceFormat | None = None  # inferred from the file extension when left out
    delimiter: str | None = None  # CSV only; sniffed when left out

    @property
    def resolved_format(self) -> SourceFormat:
        if self.format is not None:
            return self.format
        suffix = PurePosixPath(self.path).suffix.lower()
        if suffix not in _EXTENSIONS:
            raise ModelError(
                f"source {self.path}: cannot tell the format from the extension; "
                "set format to csv, parquet or jsonl"
            )
        return _EXTENSIONS[suffix]


class AttributeSpec(_Spec):
    """One column of an entity or interaction as declared in model.yaml."""

    type: AttrType | None = None  # inferred from the source when left out
    label: str | None = None  # shown in the builder; defaults to the name
    description: str | None = None
    pii: bool = False  # personal data: masked in logs, flagged in the UI


class RelationshipSpec(_Spec):
    """A named link from one entity to another."""

    entity: str  # the entity at the other end
    type: Literal["many_to_one", "one_to_many"]
    # many_to_one: a column of this entity holding the other entity's key;
    # one_to_many: a column of the other entity holding this entity's key.
    foreign_key: str
    label: str | None = None


def _source(value: Any) -> Any:
    return {"path": value} if isinstance(value, str) else value


class EntitySpec(_Spec):
    """A profile entity (contact, account, lead, order...) as declared in model.yaml."""

    label: str | None = None
    key: str  # the column that identifies a row
    audience: bool = False  # can segments be built over this entity?
    source: SourceSpec
    attributes: dict[str, AttributeSpec] | None = None  # None: every source column
    relationships: dict[str, RelationshipSpec] = Field(default_factory=dict)

    _source = field_validator("source", mode="before")(_source)


class InteractionSpec(_Spec):
    """A kind of time-stamped interaction tied to a profile (email opened, purchase...)."""

    label: str | None = None
    profile: str  # the profile entity the interactions belong to
    profile_key: str  # the column holding that profile's key
    timestamp: str  # the column holding when it happened
    source: SourceSpec
    attributes: dict[str, AttributeSpec] | None = None  # None: every source column

    _source = field_validator("source", mode="before")(_source)


class ModelSpec(_Spec):
    """The whole of model.yaml."""

    entities: dict[str, EntitySpec]
    interactions: dict[str, InteractionSpec] = Field(default_factory=dict)


# --- the resolved catalog -------------------------------------------------------------


@dataclass(frozen=True)
class Attribute:
    """A typed column of an entity or interaction."""

    name: str
    type: AttrType
    label: str
    pii: bool = False
    description: str | None = None


@dataclass(frozen=True)
class Relationship:
    """A resolved link: from `source` to `target` through `foreign_key`."""

    name: str
    source: str
    target: str
    type: Literal["many_to_one", "one_to_many"]
    foreign_key: str
    label: str


@dataclass(frozen=True)
class Entity:
    """A profile entity with its typed attributes and relationships."""

    name: str
    label: str
    key: str
    audience: bool
    source: SourceSpec
    attributes: Mapping[str, Attribute]
    relationships: Mapping[str, Relationship]

    @property
    def table(self) -> str:
        return self.name


@dataclass(frozen=True)
class Interaction:
    """A kind of interaction with its typed attributes."""

    name: str
    label: str
    profile: str
    profile_key: str
    timestamp: str
    source: SourceSpec
    attributes: Mapping[str, Attribute]

    @property
    def table(self) -> str:
        return self.name


@dataclass(frozen=True)
class FieldRef:
    """A field path resolved from an entity: the many-to-one hops, then the attribute."""

    path: str  # as written, e.g. "account.industry"
    hops: tuple[Relationship, ...]
    attribute: Attribute


@dataclass(frozen=True)
class Catalog:
    """The resolved data model the checker and the compiler work from."""

    entities: Mapping[str, Entity]
    interactions: Mapping[str, Interaction]

    def audiences(self) -> list[str]:
        return [name for name, e in self.entities.items() if e.audience]

    def resolve_field(self, entity: str, path: str) -> FieldRef:
        """Resolve `a.b.attr` from `entity` through many-to-one relationships.

        Raises KeyError with a message that names what is unknown.
        """
        parts = path.split(".")
        current = self.entities[entity]
        hops: list[Relationship] = []
        for part in parts[:-1]:
            rel = current.relationships.get(part)
            if rel is None:
                raise KeyError(f"{current.name} has no relationship named {part!r}")
            if rel.type != "many_to_one":
                raise KeyError(
                    f"{current.name}.{part} is one-to-many; use a related condition "
                    "(any / all / none) instead of a dotted field"
                )
            hops.append(rel)
            current = self.entities[rel.target]
        attr = current.attributes.get(parts[-1])
        if attr is None:
            raise KeyError(f"{current.name} has no attribute named {parts[-1]!r}")
        return FieldRef(path=path, hops=tuple(hops), attribute=attr)

    def interactions_of(self, entity: str) -> list[str]:
        return [n for n, i in self.interactions.items() if i.profile == entity]


def parse_model(data: object, where: str = "model.yaml") -> ModelSpec:
    """Validate the parsed content of model.yaml, reporting every problem with its path."""
    if not isinstance(data, dict):
        raise ModelError(f"{where}: expected a mapping with 'entities' and 'interactions'")
    try:
        spec = ModelSpec.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(".".join(str(p) for p in err["loc"]), err["msg"]) for err in exc.errors()
        ]
        raise ModelError(f"{where} is not a valid data model", problems) from None
    problems = list(_check_structure(spec))
    if problems:
        raise ModelError(f"{where} is not a valid data model", problems)
    return spec


def _check_name(path: str, name: str) -> Iterable[Problem]:
    if not NAME_PATTERN.match(name):
        yield Problem(path, f"{name!r} is not a valid name (letters, digits and _)")
    elif name.lower().startswith(RESERVED_PREFIX):
        yield Problem(path, f"names starting with {RESERVED_PREFIX!r} are reserved")


def _check_structure(spec: ModelSpec) -> Iterable[Problem]:
    for name in set(spec.entities) & set(spec.interactions):
        yield Problem(f"interactions.{name}", "an entity already has this name")
    for name, ent in spec.entities.items():
        yield from _check_name(f"entities.{name}", name)
        for attr in ent.attributes or {}:
            yield from _check_name(f"entities.{name}.attributes.{attr}", attr)
        if ent.attributes is not None and ent.key not in ent.attributes:
            yield Problem(f"entities.{name}.key", f"{ent.key!r} is not among the attributes")
        for rname, rel in ent.relationships.items():
            at = f"entities.{name}.relationships.{rname}"
            yield from _check_name(at, rname)
            if ent.attributes is not None and rname in ent.attributes:
                yield Problem(at, "an attribute already has this name")
            target = spec.entities.get(rel.entity)
            if target is None:
                yield Problem(f"{at}.entity", f"unknown entity {rel.entity!r}")
                continue
            holder = ent if rel.type == "many_to_one" else target
            if holder.attributes is not None and rel.foreign_key not in holder.attributes:
                owner = name if rel.type == "many_to_one" else rel.entity
                yield Problem(f"{at}.foreign_key", f"{owner} has no attribute {rel.foreign_key!r}")
    if not any(e.audience for e in spec.entities.values()):
        yield Problem("entities", "no entity is marked audience: true")
    for name, inter in spec.interactions.items():
        at = f"interactions.{name}"
        yield from _check_name(at, name)
        if inter.profile not in spec.entities:
            yield Problem(f"{at}.profile", f"unknown entity {inter.profile!r}")
        if inter.attributes is not None:
            for col in (inter.profile_key, inter.timestamp):
                if col not in inter.attributes:
                    yield Problem(at, f"{col!r} is not among the attributes")
            ts = inter.attributes.get(inter.timestamp)
            if ts is not None and ts.type not in (None, AttrType.TIMESTAMP, AttrType.DATE):
                yield Problem(f"{at}.timestamp", "the timestamp column must be a timestamp")


def resolve_catalog(
    spec: ModelSpec, inferred: Mapping[str, Mapping[str, AttrType]] | None = None
) -> Catalog:
    """Merge declared and inferred types into a Catalog.

    `inferred` maps entity/interaction name to column types read from the loaded data; an
    attribute left untyped in model.yaml takes its inferred type, and an entity declaring
    no attributes takes every inferred column.
    """
    inferred = inferred or {}
    problems: list[Problem] = []

    def attrs(
        kind: str, name: str, declared: dict[str, AttributeSpec] | None
    ) -> dict[str, Attribute]:
        found = inferred.get(name, {})
        names = list(declared) if declared is not None else list(found)
        out: dict[str, Attribute] = {}
        for col in names:
            decl = (declared or {}).get(col, AttributeSpec())
            typ = decl.type or found.get(col)
            if typ is None:
                problems.append(
                    Problem(
                        f"{kind}.{name}.attributes.{col}",
                        "type not declared and not known from loaded data; run segmint ingest",
                    )
                )
                continue
            out[col] = Attribute(
                name=col,
                type=typ,
                label=decl.label or col.replace("_", " ").capitalize(),
                pii=decl.pii,
                description=decl.description,
            )
        return out

    entities: dict[str, Entity] = {}
    for name, ent in spec.entities.items():
        rels = {
            rname: Relationship(
                name=rname,
                source=name,
                target=rel.entity,
                type=rel.type,
                foreign_key=rel.foreign_key,
                label=rel.label or rname.replace("_", " ").capitalize(),
            )
            for rname, rel in ent.relationships.items()
        }
        entities[name] = Entity(
            name=name,
            label=ent.label or name.replace("_", " ").capitalize(),
            key=ent.key,
            audience=ent.audience,
            source=ent.source,
            attributes=attrs("entities", name, ent.attributes),
            relationships=rels,
        )
    interactions: dict[str, Interaction] = {}
    for name, inter in spec.interactions.items():
        interactions[name] = Interaction(
            name=name,
            label=inter.label or name.replace("_", " ").capitalize(),
            profile=inter.profile,
            profile_key=inter.profile_key,
            timestamp=inter.timestamp,
            source=inter.source,
            attributes=attrs("interactions", name, inter.attributes),
        )
    if problems:
        raise ModelError("the data model is incomplete", problems)
    return Catalog(entities=entities, interactions=interactions)

"""What every engine offers, and the plain results it hands back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from segmint.catalog import Catalog
from segmint.definition.check import SegmentResolver
from segmint.definition.nodes import Definition


@dataclass(frozen=True)
class Page:
    """One page of members with the chosen fields, ordered by key."""

    fields: list[str]
    rows: list[dict[str, Any]]
    limit: int
    offset: int


@dataclass(frozen=True)
class Explanation:
    """Why one profile is or is not a member: the tree of conditions with verdicts and values."""

    profile: Any
    root: dict[str, Any]  # {path, type, text, result, values, children}

    @property
    def member(self) -> bool:
        return bool(self.root["result"])


class Engine(Protocol):
    """An engine evaluates definitions exactly over one catalog's data."""

    name: str
    catalog: Catalog

    def count(
        self,
        definition: Definition,
        *,
        as_of: dt.datetime,
        segments: SegmentResolver | None = None,
    ) -> int: ...

    def member_keys(
        self,
        definition: Definition,
        *,
        as_of: dt.datetime,
        segments: SegmentResolver | None = None,
    ) -> set[Any]: ...

    def members(
        self,
        definition: Definition,
        *,
        as_of: dt.datetime,
        fields: Sequence[str] = (),
        limit: int = 100,
        offset: int = 0,
        segments: SegmentResolver | None = None,
    ) -> Page: ...

    def sql(
        self,
        definition: Definition,
        *,
        as_of: dt.datetime,
        segments: SegmentResolver | None = None,
    ) -> str: ...

    def explain(
        self,
        definition: Definition,
        profile: Any,
        *,
        as_of: dt.datetime,
        segments: SegmentResolver | None = None,
    ) -> Explanation: ...

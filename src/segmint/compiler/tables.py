"""Unbound Ibis tables for the catalog's entities and interactions, typed from the catalog."""

from __future__ import annotations

from functools import cache
from typing import Any

import ibis
import ibis.expr.types as ir

from segmint.catalog import AttrType, Catalog

IBIS_TYPES: dict[AttrType, str] = {
    AttrType.STRING: "string",
    AttrType.INTEGER: "int64",
    AttrType.FLOAT: "float64",
    AttrType.BOOLEAN: "boolean",
    AttrType.DATE: "date",
    AttrType.TIMESTAMP: "timestamp",
    AttrType.LIST: "array<string>",
}


def _schema(attributes: Any) -> dict[str, str]:
    return {name: IBIS_TYPES[attr.type] for name, attr in attributes.items()}


class Tables:
    """Hands out one unbound Ibis table per entity or interaction of a catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    @cache  # noqa: B019 - one Tables per catalog; the cache lives as long as it does
    def entity(self, name: str) -> ir.Table:
        ent = self.catalog.entities[name]
        return ibis.table(_schema(ent.attributes), name=ent.table)

    @cache  # noqa: B019
    def interaction(self, name: str) -> ir.Table:
        inter = self.catalog.interactions[name]
        return ibis.table(_schema(inter.attributes), name=inter.table)

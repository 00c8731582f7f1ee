"""Value suggestions: the most frequent values of a text attribute of an entity or interaction.

The builder offers them while a marketer types a value ("Seattle", "Portland"...). Only
text attributes (string, and list of strings) that are not personal data have suggestions;
the entity or interaction and the attribute are looked up in the catalog, so no name from a
request reaches SQL.
"""

from __future__ import annotations

from segmint.catalog import AttrType
from segmint.engines.values import ValueCount, top_values
from segmint.errors import NotFoundError, UnsupportedError
from segmint.services.context import App

MAX_LIMIT = 100
"""The most suggestions one request can ask for."""

TEXT_TYPES = (AttrType.STRING, AttrType.LIST)


def suggest(
    app: App, owner: str, attribute: str, *, prefix: str = "", limit: int = 20
) -> list[ValueCount]:
    """The `limit` most frequent distinct values of `owner.attribute` starting with `prefix`."""
    catalog = app.engine.catalog
    found = catalog.entities.get(owner) or catalog.interactions.get(owner)
    if found is None:
        known = sorted([*catalog.entities, *catalog.interactions])
        raise NotFoundError(
            f"{owner!r} is not an entity or interaction of the data model; "
            f"use one of {', '.join(known)}"
        )
    attr = found.attributes.get(attribute)
    if attr is None:
        raise NotFoundError(
            f"{owner} has no attribute {attribute!r}; it has {', '.join(found.attributes)}"
        )
    if attr.type not in TEXT_TYPES:
        raise UnsupportedError(
            f"{owner}.{attribute} is {attr.type.value}: only text attributes "
            "(string, list) have value suggestions"
        )
    if attr.pii:
        raise UnsupportedError(
            f"{owner}.{attribute} is personal data (pii): it has no value suggestions"
        )
    return top_values(
        app.engine.con,
        found.table,
        attr.name,
        is_list=attr.type is AttrType.LIST,
        prefix=prefix,
        limit=max(1, min(limit, MAX_LIMIT)),
    )

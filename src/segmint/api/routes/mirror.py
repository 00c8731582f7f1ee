"""Mirrors: the routes another Segmint instance exports into (external segments here).

`PUT /api/external-segments/{key}` replaces (or creates, in draft) the external segment with
the existing profiles among the IDs sent, and answers how many matched; a repeat with the
same Idempotency-Key changes nothing. Mirrors can be shown, and edited here with a warning.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from pydantic import BaseModel, ConfigDict, Field

from segmint.api.deps import get_app
from segmint.api.errors import ERROR_RESPONSES
from segmint.services import mirror
from segmint.services.context import App

router = APIRouter(prefix="/api/external-segments", tags=["mirrors"], responses=ERROR_RESPONSES)
AppDep = Annotated[App, Depends(get_app)]


class ExternalSegmentIn(BaseModel):
    """A whole segment exported by another system: it replaces the mirror here."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=200)
    audience: str = Field(min_length=1, max_length=64)
    ids: list[str] = Field(max_length=10_000_000)  # keys of the audience here
    external_source: str = Field(default="segmint", max_length=200)
    external_url: str = Field(default="", max_length=2000)
    version: int | None = None  # the exporting side's version (for the record)


class ReceivedOut(BaseModel):
    key: str
    created: bool
    repeated: bool
    state: str
    version: int | None
    received: int
    matched: int
    unmatched: int
    unmatched_sample: list[str]


class MirrorOut(BaseModel):
    key: str
    name: str
    audience: str
    state: str
    status: str
    active: bool
    external_source: str | None
    external_url: str | None
    description: str
    members: int | None
    version: int | None
    last_refreshed_at: dt.datetime | None
    last_export_at: dt.datetime | None
    received: int | None
    matched: int | None
    unmatched: int | None
    edited_at: dt.datetime | None
    edited_by: str | None
    warning: str | None


class MirrorEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    add: list[str] = Field(default_factory=list, max_length=100_000)
    remove: list[str] = Field(default_factory=list, max_length=100_000)


class MirrorEditOut(BaseModel):
    key: str
    version: int
    members: int
    added: int
    removed: int
    warning: str


@router.put("/{key}", response_model=ReceivedOut)
def put_external_segment(
    key: str,
    body: ExternalSegmentIn,
    app: AppDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> ReceivedOut:
    """Replace the mirror `key` completely (created in draft when new); profiles are never
    created: IDs matching none are counted."""
    found = mirror.receive(
        app,
        key,
        name=body.name,
        audience=body.audience,
        ids=body.ids,
        external_source=body.external_source,
        external_url=body.external_url,
        batch_id=idempotency_key,
    )
    return ReceivedOut(**found.__dict__)


@router.get("/{key}", response_model=MirrorOut)
def get_external_segment(key: str, app: AppDep) -> MirrorOut:
    """A mirror: external source and URL, description, size, what the last export brought."""
    return MirrorOut(**mirror.show(app, key))


@router.post("/{key}/members", response_model=MirrorEditOut)
def edit_external_segment(key: str, body: MirrorEditIn, app: AppDep) -> MirrorEditOut:
    """Add or remove members here; the answer warns that the next export overwrites it."""
    found = mirror.edit(app, key, add=body.add, remove=body.remove)
    return MirrorEditOut(**found.__dict__)

"""Segments: list, create, read, change, duplicate, delete; lifecycle; usage; static members."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Response, status

from segmint.api.deps import check_if_match, decode_cursor, encode_cursor, etag, get_app, idempotent
from segmint.api.errors import ERROR_RESPONSES
from segmint.api.schemas import (
    ConsumerIn,
    ConsumerOut,
    ConversionOut,
    DefinitionIn,
    DuplicateIn,
    IdsIn,
    MakeDynamicIn,
    QueryIn,
    QueryOut,
    RunRequestOut,
    SegmentCreate,
    SegmentDetail,
    SegmentOut,
    SegmentPage,
    SegmentPatch,
    StaticOut,
    UsageOut,
    WhenIn,
    consumer_out,
    run_out,
    segment_out,
)
from segmint.definition.load import parse_document
from segmint.definition.nodes import SegmentDocument
from segmint.errors import NotFoundError, UserError
from segmint.services import conversion, static
from segmint.services import segments as svc
from segmint.services.context import App
from segmint.services.refresh import Requested
from segmint.store import Segment, SegmentType
from segmint.store.store import SortColumn

RevisionChoice = Literal["latest", "live"]

router = APIRouter(prefix="/api/segments", tags=["segments"], responses=ERROR_RESPONSES)
AppDep = Annotated[App, Depends(get_app)]


def _document(key: str, body: DefinitionIn) -> SegmentDocument:
    return parse_document({**body.model_dump(), "key": key}, "request body")


def _out(app: App, seg: Segment) -> SegmentOut:
    with app.store.read() as r:
        return segment_out(seg, r.as_of([seg.key]).get(seg.key))


def _detail(
    app: App, key: str, response: Response, revision: RevisionChoice = "latest"
) -> SegmentDetail:
    with app.store.read() as r:
        seg = r.require(key)
        if revision == "live":
            if seg.live_revision is None:
                raise NotFoundError(f"{key} is {seg.state.value}: it has no live revision")
            number = seg.live_revision
        else:
            number = seg.pending_revision or seg.revision
        definition = r.revision(key, number)
    response.headers["ETag"] = etag(seg)
    return SegmentDetail(
        **_out(app, seg).model_dump(),
        sentence=svc.sentence(app, seg, number),
        definition=definition,
        definition_revision=number,
    )


def _requested(found: Requested | None) -> RunRequestOut:
    if found is None:
        return RunRequestOut(run=None, coalesced={})
    return RunRequestOut(run=run_out(found.run) if found.run else None, coalesced=found.coalesced)


@router.get("", response_model=SegmentPage)
def list_segments(
    app: AppDep,
    search: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[list[str] | None, Query()] = None,
    type: Annotated[list[str] | None, Query()] = None,
    state: Annotated[list[str] | None, Query()] = None,
    sort: SortColumn = "name",
    desc: bool = False,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> SegmentPage:
    """Segments filtered by name search, tags (all), type and state; sorted; paged."""
    start = decode_cursor(cursor)
    with app.store.read() as r:
        found = r.segments(
            search=search,
            tags=tag or (),
            types=type or (),
            states=state or (),
            sort=sort,
            descending=desc,
        )
        page = found[start : start + limit]
        as_of = r.as_of([s.key for s in page])
    more = start + limit < len(found)
    return SegmentPage(
        items=[segment_out(s, as_of.get(s.key)) for s in page],
        next_cursor=encode_cursor(start + limit) if more else None,
    )


@router.post("", response_model=SegmentDetail, status_code=status.HTTP_201_CREATED)
def create_segment(
    body: SegmentCreate,
    app: AppDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> Any:
    """Save a new draft segment (the definition is validated first)."""

    def make() -> SegmentDetail:
        doc = parse_document(body.model_dump(exclude_none=True), "request body")
        svc.create(app, doc, type_=SegmentType(body.type), key=body.key)
        return _detail(app, body.key, response)

    return idempotent(app, idempotency_key, "create-segment", make)


@router.get("/{key}", response_model=SegmentDetail)
def get_segment(
    key: str, app: AppDep, response: Response, revision: RevisionChoice = "latest"
) -> SegmentDetail:
    """A segment with its definition, sentence and ETag: of the latest revision (the pending
    edit, if any), or with revision=live of the revision a live segment serves."""
    return _detail(app, key, response, revision)


@router.patch("/{key}", response_model=SegmentDetail)
def patch_segment(key: str, body: SegmentPatch, app: AppDep, response: Response) -> SegmentDetail:
    """Rename, describe or retag a segment."""
    if body.name is not None:
        svc.rename(app, key, body.name)
    if body.description is not None:
        with app.store.write(app.actor) as w:
            w.update_segment(key, "describe", description=body.description)
    if body.tags is not None:
        with app.store.read() as r:
            have = set(r.require(key).tags)
        svc.tag(app, key, add=body.tags, remove=sorted(have - set(body.tags)))
    return _detail(app, key, response)


@router.put("/{key}/definition", response_model=SegmentDetail)
def put_definition(
    key: str,
    body: DefinitionIn,
    app: AppDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> SegmentDetail:
    """Save a new revision; a live segment keeps serving until the edit is saved."""
    with app.store.read() as r:
        check_if_match(r.require(key), if_match)
    svc.edit(app, key, _document(key, body))
    return _detail(app, key, response)


@router.post("/{key}/duplicate", response_model=SegmentDetail, status_code=status.HTTP_201_CREATED)
def duplicate_segment(
    key: str, body: DuplicateIn, app: AppDep, response: Response
) -> SegmentDetail:
    """A draft copy, ready to edit."""
    svc.duplicate(app, key, body.key, name=body.name)
    return _detail(app, body.key, response)


@router.delete("/{key}", response_model=UsageOut)
def delete_segment(key: str, app: AppDep, confirm: bool = False) -> UsageOut:
    """Delete; a segment in use needs confirm=true (409 lists the usage otherwise)."""
    found = svc.delete(app, key, confirm=confirm)
    return UsageOut(
        segments=found.segments,
        live_compounds=found.live_compounds,
        consumers=[consumer_out(c) for c in found.consumers],
    )


@router.post("/{key}/go-live", response_model=RunRequestOut)
def go_live(key: str, app: AppDep) -> RunRequestOut:
    """Validate, make live and refresh."""
    _, requested = svc.go_live(app, key)
    return _requested(requested)


@router.post("/{key}/save", response_model=RunRequestOut)
def save_edit(key: str, app: AppDep) -> RunRequestOut:
    """Swap a live segment's pending edit in and refresh."""
    _, requested = svc.save_edit(app, key)
    return _requested(requested)


@router.post("/{key}/discard", response_model=SegmentOut)
def discard_edit(key: str, app: AppDep) -> SegmentOut:
    """Drop a live segment's pending edit."""
    return _out(app, svc.discard_edit(app, key))


@router.post("/{key}/stop", response_model=SegmentOut)
def stop(key: str, app: AppDep, confirm: bool = False) -> SegmentOut:
    """Back to draft (confirm=true when a live compound segment uses it)."""
    return _out(app, svc.stop(app, key, confirm=confirm))


@router.post("/{key}/activate", response_model=SegmentOut)
def activate(key: str, app: AppDep, body: WhenIn | None = None) -> SegmentOut:
    """Activate now, or at `at`."""
    return _out(app, svc.activate(app, key, at=body.at if body else None))


@router.post("/{key}/deactivate", response_model=SegmentOut)
def deactivate(key: str, app: AppDep, body: WhenIn | None = None) -> SegmentOut:
    """Deactivate now, or at `at`."""
    return _out(app, svc.deactivate(app, key, at=body.at if body else None))


@router.post("/{key}/make-static", response_model=ConversionOut)
def make_static(key: str, app: AppDep) -> ConversionOut:
    """Freeze a dynamic or compound segment's current members as hand-picked ones."""
    seg, frozen = conversion.make_static(app, key)
    return ConversionOut(segment=_out(app, seg), frozen=frozen, refresh=None)


@router.post("/{key}/make-dynamic", response_model=ConversionOut)
def make_dynamic(key: str, app: AppDep, body: MakeDynamicIn | None = None) -> ConversionOut:
    """Give a static segment a definition (its last one when the body is left out); a live
    one is refreshed at once."""
    definition = None
    if body is not None:
        with app.store.read() as r:
            audience = r.require(key).audience
        definition = parse_document(
            {"audience": audience, **body.model_dump()}, "request body"
        ).definition
    seg, requested = conversion.make_dynamic(app, key, definition)
    return ConversionOut(
        segment=_out(app, seg),
        frozen=None,
        refresh=_requested(requested) if requested is not None else None,
    )


@router.delete("/{key}/scheduled/{change}", response_model=SegmentOut)
def cancel_scheduled(
    key: str, change: Literal["activation", "deactivation"], app: AppDep
) -> SegmentOut:
    """Drop a scheduled activation or deactivation (409 when none is scheduled)."""
    return _out(app, svc.cancel_scheduled(app, key, activation=change == "activation"))


@router.get("/{key}/usage", response_model=UsageOut)
def usage(key: str, app: AppDep) -> UsageOut:
    """Segments referencing it and consumers registered from outside."""
    found = svc.usage(app, key)
    return UsageOut(
        segments=found.segments,
        live_compounds=found.live_compounds,
        consumers=[consumer_out(c) for c in found.consumers],
    )


@router.post("/{key}/consumers", response_model=ConsumerOut, status_code=201)
def register_consumer(key: str, body: ConsumerIn, app: AppDep) -> ConsumerOut:
    """Register that something outside (a journey, a campaign) uses this segment."""
    with app.store.write(app.actor) as w:
        return consumer_out(
            w.register_consumer(key, kind=body.kind, name=body.name, role=body.role, link=body.link)
        )


@router.delete("/{key}/consumers/{consumer_id}", status_code=204)
def remove_consumer(key: str, consumer_id: int, app: AppDep) -> Response:
    with app.store.write(app.actor) as w:
        w.remove_consumer(key, consumer_id)
    return Response(status_code=204)


def _static_page(app: App, key: str, cursor: str | None, limit: int) -> StaticOut:
    start = decode_cursor(cursor)
    with app.store.read() as r:
        seg = r.require(key)
        members = r.static_members(key)
    if seg.type is not SegmentType.STATIC:
        raise UserError(f"{key} is {seg.type.value}, not static")
    more = start + limit < len(members)
    return StaticOut(
        members=members[start : start + limit],
        count=len(members),
        next_cursor=encode_cursor(start + limit) if more else None,
    )


StaticLimit = Annotated[int, Query(ge=1, le=10_000)]


@router.get("/{key}/static-members", response_model=StaticOut)
def static_members(
    key: str, app: AppDep, cursor: str | None = None, limit: StaticLimit = 1000
) -> StaticOut:
    """A static segment's hand-picked members, in key order, paged."""
    return _static_page(app, key, cursor, limit)


@router.post("/{key}/static-members", response_model=StaticOut)
def add_static(key: str, body: IdsIn, app: AppDep, limit: StaticLimit = 1000) -> StaticOut:
    """Add profiles by key (unknown keys: nothing is added); answers the first page."""
    static.add(app, key, body.ids)
    return _static_page(app, key, None, limit)


@router.post("/{key}/static-members/remove", response_model=StaticOut)
def remove_static(key: str, body: IdsIn, app: AppDep, limit: StaticLimit = 1000) -> StaticOut:
    """Remove profiles by key; answers the first page."""
    static.remove(app, key, body.ids)
    return _static_page(app, key, None, limit)


@router.post("/{key}/static-members/query", response_model=QueryOut)
def static_query(key: str, body: QueryIn, app: AppDep) -> QueryOut:
    """Preview a query's matches; or add / remove all (or the selected) of them."""
    with app.store.read() as r:
        seg = r.require(key)
    doc = parse_document(
        {"audience": seg.audience, "timezone": body.timezone, "condition": body.condition},
        "request body",
    )
    found = static.matches(app, key, doc)
    changed = 0
    if body.action == "add":
        changed = static.add_by_query(app, key, doc, body.select)
    elif body.action == "remove":
        changed = static.remove_by_query(app, key, doc, body.select)
    return QueryOut(
        count=found.count,
        already_members=found.members,
        keys=found.keys[: body.limit],
        changed=changed,
    )

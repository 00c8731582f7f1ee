"""The JSON shapes of the store's records: plain dicts, dates as datetimes (ISO when printed).

`emit_json` turns datetimes into ISO 8601 text; enums are strings already.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from segmint.services.segments import Usage
    from segmint.store import Consumer, Run, Segment, Task, Version


SEGMENT_FIELDS = (
    "key",
    "name",
    "description",
    "audience",
    "type",
    "state",
    "status",
    "active",
    "activate_at",
    "deactivate_at",
    "timezone",
    "owner",
    "business_unit",
    "tags",
    "revision",
    "live_revision",
    "pending_revision",
    "serving_revision",
    "current_version",
    "members",
    "last_refreshed_at",
    "last_status",
    "last_error",
    "external_source",
    "external_url",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
)
"""Every field of a segment's JSON, in order; `segment list --columns` chooses among them."""


def segment_json(seg: Segment) -> dict[str, Any]:
    """A segment with its status label ("draft", "live", "live, editable")."""
    return {
        "key": seg.key,
        "name": seg.name,
        "description": seg.description,
        "audience": seg.audience,
        "type": seg.type.value,
        "state": seg.state.value,
        "status": seg.status_label,
        "active": seg.active,
        "activate_at": seg.activate_at,
        "deactivate_at": seg.deactivate_at,
        "timezone": seg.timezone,
        "owner": seg.owner,
        "business_unit": seg.business_unit,
        "tags": list(seg.tags),
        "revision": seg.revision,
        "live_revision": seg.live_revision,
        "pending_revision": seg.pending_revision,
        "serving_revision": seg.serving_revision,
        "current_version": seg.current_version,
        "members": seg.members,
        "last_refreshed_at": seg.last_refreshed_at,
        "last_status": seg.last_status,
        "last_error": seg.last_error,
        "external_source": seg.external_source,
        "external_url": seg.external_url,
        "created_at": seg.created_at,
        "created_by": seg.created_by,
        "updated_at": seg.updated_at,
        "updated_by": seg.updated_by,
    }


def consumer_json(c: Consumer) -> dict[str, Any]:
    return {
        "id": c.id,
        "segment": c.segment,
        "kind": c.kind,
        "name": c.name,
        "role": c.role,
        "link": c.link,
        "registered_at": c.registered_at,
    }


def usage_json(u: Usage) -> dict[str, Any]:
    return {
        "used": u.used,
        "segments": list(u.segments),
        "live_compounds": list(u.live_compounds),
        "consumers": [consumer_json(c) for c in u.consumers],
    }


def task_json(t: Task) -> dict[str, Any]:
    return {
        "segment": t.segment,
        "position": t.position,
        "status": t.status.value,
        "depends_on": list(t.depends_on),
        "revision": t.revision,
        "started_at": t.started_at,
        "finished_at": t.finished_at,
        "seconds": t.seconds,
        "members": t.members,
        "entered": t.entered,
        "exited": t.exited,
        "version": t.version,
        "error": t.error,
    }


def run_seconds(run: Run) -> float | None:
    if run.started_at is None or run.finished_at is None:
        return None
    return (run.finished_at - run.started_at).total_seconds()


def run_json(run: Run, *, tasks: bool = True) -> dict[str, Any]:
    done, total = run.progress
    data: dict[str, Any] = {
        "id": run.id,
        "kind": run.kind,
        "status": run.status.value,
        "schedule_key": run.schedule_key,
        "requested_by": run.requested_by,
        "as_of": run.as_of,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "seconds": run_seconds(run),
        "cancel_requested": run.cancel_requested,
        "error": run.error,
        "progress": {"done": done, "total": total},
    }
    if tasks:
        data["tasks"] = [task_json(t) for t in run.tasks]
    else:
        data["segments"] = [t.segment for t in run.tasks]
    return data


def history_json(run: Run, task: Task) -> dict[str, Any]:
    """One processing of a segment: its task in a run."""
    return {
        "run": run.id,
        "kind": run.kind,
        "status": task.status.value,
        "started_at": task.started_at,
        "finished_at": task.finished_at,
        "seconds": task.seconds,
        "members": task.members,
        "entered": task.entered,
        "exited": task.exited,
        "version": task.version,
        "error": task.error,
    }


def version_json(v: Version) -> dict[str, Any]:
    return {
        "version": v.version,
        "run": v.run_id,
        "as_of": v.as_of,
        "created_at": v.created_at,
        "members": v.members,
        "entered": v.entered,
        "exited": v.exited,
        "pruned": v.pruned,
    }

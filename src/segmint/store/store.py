"""The metadata store: one SQLAlchemy engine, read and write transactions, typed records.

`store.read()` gives a Reader in a read transaction; `store.write()` a Writer (a Reader that
can also change things) in a write transaction that commits on success and rolls back on
any error, so no partial write is ever visible. On SQLite, write transactions take the
database lock up front (`BEGIN IMMEDIATE`), so two writers queue instead of deadlocking.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Literal, get_args, overload

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import StaticPool

from segmint.errors import ConflictError, NotFoundError, UserError
from segmint.runs.status import RunStatus, TaskStatus, check_run, check_task
from segmint.store import schema as s
from segmint.store.records import (
    AuditEntry,
    Consumer,
    Run,
    Segment,
    SegmentState,
    SegmentType,
    Task,
    Version,
)
from segmint.store.sealing import Sealer

SortColumn = Literal[
    "key",
    "name",
    "type",
    "state",
    "audience",
    "members",
    "last_refreshed_at",
    "created_at",
    "updated_at",
    "owner",
    "active",
    "tags",
]
"""What segments can be sorted by (tags: by the tags joined in order, untagged last)."""
SORTABLE: tuple[str, ...] = get_args(SortColumn)


def _storable(number: int) -> bool:
    """Whether a number can be an id or revision: INTEGER is 32 bits on PostgreSQL.

    Others cannot name a row, and must not reach the database: SQLite overflows past 64
    bits and PostgreSQL past 32, each with its own error.
    """
    return -(2**31) <= number < 2**31


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@overload
def _aware(value: dt.datetime) -> dt.datetime: ...
@overload
def _aware(value: dt.datetime | None) -> dt.datetime | None: ...
def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """In UTC, timezone-aware (schema.UTCDateTime already does this for table columns)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _segment(row: Any, tag_list: Sequence[str]) -> Segment:
    m = row._mapping
    return Segment(
        key=m["key"],
        name=m["name"],
        description=m["description"] or "",
        audience=m["audience"],
        type=SegmentType(m["type"]),
        state=SegmentState(m["state"]),
        active=bool(m["active"]),
        activate_at=_aware(m["activate_at"]),
        deactivate_at=_aware(m["deactivate_at"]),
        timezone=m["timezone"],
        owner=m["owner"],
        business_unit=m["business_unit"],
        revision=m["revision"],
        live_revision=m["live_revision"],
        pending_revision=m["pending_revision"],
        current_version=m["current_version"],
        members=m["members"],
        last_refreshed_at=_aware(m["last_refreshed_at"]),
        last_status=m["last_status"],
        last_error=m["last_error"],
        external_source=m["external_source"],
        external_url=m["external_url"],
        created_at=_aware(m["created_at"]),
        created_by=m["created_by"],
        updated_at=_aware(m["updated_at"]),
        updated_by=m["updated_by"],
        tags=tuple(sorted(tag_list)),
    )


def _task(row: Any) -> Task:
    m = row._mapping
    return Task(
        run_id=m["run_id"],
        segment=m["segment"],
        position=m["position"],
        depends_on=tuple(m["depends_on"] or ()),
        revision=m["revision"],
        status=TaskStatus(m["status"]),
        started_at=_aware(m["started_at"]),
        finished_at=_aware(m["finished_at"]),
        members=m["members"],
        entered=m["entered"],
        exited=m["exited"],
        version=m["version"],
        error=m["error"],
    )


def _run(row: Any, task_rows: Iterable[Any]) -> Run:
    m = row._mapping
    return Run(
        id=m["id"],
        kind=m["kind"],
        status=RunStatus(m["status"]),
        schedule_key=m["schedule_key"],
        requested_by=m["requested_by"],
        as_of=_aware(m["as_of"]),
        created_at=_aware(m["created_at"]),
        started_at=_aware(m["started_at"]),
        finished_at=_aware(m["finished_at"]),
        lease_owner=m["lease_owner"],
        lease_expires_at=_aware(m["lease_expires_at"]),
        cancel_requested=bool(m["cancel_requested"]),
        error=m["error"],
        tasks=tuple(_task(t) for t in task_rows),
    )


class Reader:
    """Read-only queries, inside one transaction."""

    sealer: Sealer | None = None  # decrypts destination secrets (set by the store)

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # --- segments ---------------------------------------------------------------------

    def _tags(self, keys: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {k: [] for k in keys}
        if keys:
            for seg, tag in self.conn.execute(
                select(s.tags.c.segment, s.tags.c.tag).where(s.tags.c.segment.in_(keys))
            ):
                found[seg].append(tag)
        return found

    def segment(self, key: str) -> Segment | None:
        row = self.conn.execute(select(s.segments).where(s.segments.c.key == key)).first()
        return _segment(row, self._tags([key])[key]) if row else None

    def require(self, key: str) -> Segment:
        found = self.segment(key)
        if found is None:
            raise NotFoundError(f"no segment with key {key!r}")
        return found

    def segments(
        self,
        *,
        search: str | None = None,
        tags: Sequence[str] = (),
        types: Sequence[str] = (),
        states: Sequence[str] = (),
        sort: str = "name",
        descending: bool = False,
    ) -> list[Segment]:
        """Segments filtered by name search, tags (all given), type and state; sorted."""
        if sort not in SORTABLE:
            raise UserError(f"cannot sort by {sort!r}; use one of {', '.join(SORTABLE)}")
        query = select(s.segments)
        if search:
            needle = search.lower()
            query = query.where(
                or_(
                    func.instr(func.lower(s.segments.c.name), needle) > 0,
                    func.instr(func.lower(s.segments.c.key), needle) > 0,
                )
                if self.conn.dialect.name == "sqlite"
                else or_(
                    func.strpos(func.lower(s.segments.c.name), needle) > 0,
                    func.strpos(func.lower(s.segments.c.key), needle) > 0,
                )
            )
        for tag in tags:
            query = query.where(
                s.segments.c.key.in_(select(s.tags.c.segment).where(s.tags.c.tag == tag))
            )
        if types:
            query = query.where(s.segments.c.type.in_(list(types)))
        if states:
            query = query.where(s.segments.c.state.in_(list(states)))
        column = s.segments.c["key" if sort == "tags" else sort]
        # Missing values (never refreshed...) last either way: the backends disagree otherwise.
        order = column.desc() if descending else column.asc()
        query = query.order_by(order.nulls_last(), s.segments.c.key)
        rows = list(self.conn.execute(query))
        tag_map = self._tags([r._mapping["key"] for r in rows])
        found = [_segment(r, tag_map[r._mapping["key"]]) for r in rows]
        if sort == "tags":
            # ties by key ascending either way, as for the other columns
            found.sort(key=lambda g: g.key)
            tagged = sorted(
                (g for g in found if g.tags), key=lambda g: ", ".join(g.tags), reverse=descending
            )
            found = tagged + [g for g in found if not g.tags]
        return found

    def revision(self, key: str, revision: int) -> dict[str, Any]:
        row = (
            self.conn.execute(
                select(s.revisions.c.definition).where(
                    s.revisions.c.segment == key, s.revisions.c.revision == revision
                )
            ).first()
            if _storable(revision)
            else None
        )
        if row is None:
            raise NotFoundError(f"segment {key!r} has no revision {revision}")
        return dict(row[0])

    def revisions(self, key: str) -> list[tuple[int, dt.datetime, str]]:
        rows = self.conn.execute(
            select(s.revisions.c.revision, s.revisions.c.created_at, s.revisions.c.created_by)
            .where(s.revisions.c.segment == key)
            .order_by(s.revisions.c.revision)
        )
        return [(r[0], _aware(r[1]), r[2]) for r in rows]

    def as_of(self, keys: Sequence[str]) -> dict[str, dt.datetime]:
        """The time each segment's current membership version was evaluated at (when it has
        one): what its members reflect."""
        if not keys:
            return {}
        rows = self.conn.execute(
            select(s.segments.c.key, s.versions.c.as_of)
            .join(
                s.versions,
                (s.versions.c.segment == s.segments.c.key)
                & (s.versions.c.version == s.segments.c.current_version),
            )
            .where(s.segments.c.key.in_(list(keys)))
        )
        return {r[0]: _aware(r[1]) for r in rows}

    def count_active_live(self) -> list[str]:
        rows = self.conn.execute(
            select(s.segments.c.key)
            .where(s.segments.c.state == SegmentState.LIVE.value, s.segments.c.active.is_(True))
            .order_by(s.segments.c.key)
        )
        return [r[0] for r in rows]

    def static_members(self, key: str) -> list[str]:
        rows = self.conn.execute(
            select(s.static_members.c.profile)
            .where(s.static_members.c.segment == key)
            .order_by(s.static_members.c.profile)
        )
        return [r[0] for r in rows]

    def consumers(self, key: str) -> list[Consumer]:
        rows = self.conn.execute(
            select(s.consumers).where(s.consumers.c.segment == key).order_by(s.consumers.c.id)
        )
        return [
            Consumer(
                id=r.id,
                segment=r.segment,
                kind=r.kind,
                name=r.name,
                role=r.role,
                link=r.link,
                registered_at=_aware(r.registered_at),
            )
            for r in rows
        ]

    # --- runs -------------------------------------------------------------------------

    def run(self, run_id: int) -> Run:
        if not _storable(run_id):
            raise NotFoundError(f"no run {run_id}")
        row = self.conn.execute(select(s.runs).where(s.runs.c.id == run_id)).first()
        if row is None:
            raise NotFoundError(f"no run {run_id}")
        task_rows = self.conn.execute(
            select(s.tasks).where(s.tasks.c.run_id == run_id).order_by(s.tasks.c.position)
        )
        return _run(row, task_rows)

    def runs(self, *, limit: int = 50, status: Sequence[str] = ()) -> list[Run]:
        query = select(s.runs).order_by(s.runs.c.id.desc()).limit(limit)
        if status:
            query = query.where(s.runs.c.status.in_(list(status)))
        rows = list(self.conn.execute(query))
        ids = [r.id for r in rows]
        by_run: dict[int, list[Any]] = {i: [] for i in ids}
        if ids:
            for t in self.conn.execute(
                select(s.tasks).where(s.tasks.c.run_id.in_(ids)).order_by(s.tasks.c.position)
            ):
                by_run[t.run_id].append(t)
        return [_run(r, by_run[r.id]) for r in rows]

    def active_tasks(self, keys: Sequence[str]) -> dict[str, int]:
        """Segments among `keys` already queued or running in an unfinished run: key -> run."""
        if not keys:
            return {}
        rows = self.conn.execute(
            select(s.tasks.c.segment, s.tasks.c.run_id)
            .join(s.runs, s.runs.c.id == s.tasks.c.run_id)
            .where(
                s.tasks.c.segment.in_(list(keys)),
                s.tasks.c.status.in_([TaskStatus.QUEUED.value, TaskStatus.RUNNING.value]),
                s.runs.c.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]),
            )
        )
        return {r[0]: r[1] for r in rows}

    def history(self, key: str, *, limit: int = 100) -> list[tuple[Run, Task]]:
        """The segment's refresh tasks, newest first, each with its run."""
        rows = list(
            self.conn.execute(
                select(s.tasks)
                .where(s.tasks.c.segment == key)
                .order_by(s.tasks.c.run_id.desc())
                .limit(limit)
            )
        )
        out = []
        for t in rows:
            run_row = self.conn.execute(select(s.runs).where(s.runs.c.id == t.run_id)).one()
            out.append((_run(run_row, []), _task(t)))
        return out

    # --- versions ---------------------------------------------------------------------

    def versions(
        self, key: str, *, since: dt.datetime | None = None, until: dt.datetime | None = None
    ) -> list[Version]:
        query = select(s.versions).where(s.versions.c.segment == key)
        if since is not None:
            query = query.where(s.versions.c.created_at >= since)
        if until is not None:
            query = query.where(s.versions.c.created_at <= until)
        rows = self.conn.execute(query.order_by(s.versions.c.version))
        return [
            Version(
                segment=r.segment,
                version=r.version,
                run_id=r.run_id,
                as_of=_aware(r.as_of),
                created_at=_aware(r.created_at),
                members=r.members,
                entered=r.entered,
                exited=r.exited,
                pruned=bool(r.pruned),
            )
            for r in rows
        ]

    def next_version(self, key: str) -> int:
        row = self.conn.execute(
            select(func.coalesce(func.max(s.versions.c.version), 0)).where(
                s.versions.c.segment == key
            )
        ).one()
        return int(row[0]) + 1

    def pinned_versions(self, key: str) -> set[int]:
        """Versions of a segment some reader still holds (unexpired pins)."""
        rows = self.conn.execute(
            select(s.pins.c.version).where(s.pins.c.segment == key, s.pins.c.expires_at > now())
        )
        return {int(r[0]) for r in rows}

    # --- settings and audit -----------------------------------------------------------

    def setting(self, key: str) -> Any:
        row = self.conn.execute(select(s.settings.c.value).where(s.settings.c.key == key)).first()
        return row[0] if row else None

    def audit(self, *, segment: str | None = None, limit: int = 100) -> list[AuditEntry]:
        query = select(s.audit).order_by(s.audit.c.id.desc()).limit(limit)
        if segment is not None:
            query = query.where(s.audit.c.segment == segment)
        return [
            AuditEntry(
                id=r.id,
                at=_aware(r.at),
                actor=r.actor,
                action=r.action,
                segment=r.segment,
                detail=dict(r.detail),
            )
            for r in self.conn.execute(query)
        ]


class Writer(Reader):
    """Changes, inside one write transaction.

    Every change people make (segments, tags, members, consumers, settings, run requests and
    cancellations) is audited. Run bookkeeping (state moves, leases, versions, pins) is not:
    the runs, tasks and versions tables are its record.
    """

    def __init__(self, conn: Connection, actor: str) -> None:
        super().__init__(conn)
        self.actor = actor

    def log(self, action: str, segment: str | None, **detail: Any) -> None:
        self.conn.execute(
            insert(s.audit).values(
                at=now(), actor=self.actor, action=action, segment=segment, detail=detail
            )
        )

    # --- segments ---------------------------------------------------------------------

    def create_segment(
        self,
        *,
        key: str,
        name: str,
        audience: str,
        type: SegmentType,
        definition: dict[str, Any],
        timezone: str,
        description: str = "",
        owner: str = "",
        business_unit: str = "",
        tags: Sequence[str] = (),
        external_source: str | None = None,
        external_url: str | None = None,
    ) -> Segment:
        when = now()
        if self.segment(key) is not None:
            raise ConflictError(f"a segment with key {key!r} already exists")
        try:
            # In a savepoint: on PostgreSQL a failed statement would spoil the whole transaction.
            with self.conn.begin_nested():
                self.conn.execute(
                    insert(s.segments).values(
                        key=key,
                        name=name,
                        description=description,
                        audience=audience,
                        type=type.value,
                        state=SegmentState.DRAFT.value,
                        active=True,
                        timezone=timezone,
                        owner=owner,
                        business_unit=business_unit,
                        revision=1,
                        created_at=when,
                        created_by=self.actor,
                        updated_at=when,
                        updated_by=self.actor,
                        external_source=external_source,
                        external_url=external_url,
                    )
                )
        except IntegrityError:
            raise ConflictError(f"a segment with key {key!r} already exists") from None
        self.conn.execute(
            insert(s.revisions).values(
                segment=key,
                revision=1,
                definition=definition,
                created_at=when,
                created_by=self.actor,
            )
        )
        self.set_tags(key, tags, log=False)
        self.log("create", key, name=name, type=type.value)
        return self.require(key)

    def update_segment(self, key: str, action: str, /, **values: Any) -> Segment:
        """Change columns of a segment (never its key), recording who and when."""
        if "key" in values:
            raise UserError("a segment's key cannot change")
        self.require(key)
        self.conn.execute(
            update(s.segments)
            .where(s.segments.c.key == key)
            .values(updated_at=now(), updated_by=self.actor, **values)
        )
        self.log(action, key, **{k: _plain(v) for k, v in values.items()})
        return self.require(key)

    def add_revision(self, key: str, definition: dict[str, Any]) -> int:
        seg = self.require(key)
        revision = seg.revision + 1
        self.conn.execute(
            insert(s.revisions).values(
                segment=key,
                revision=revision,
                definition=definition,
                created_at=now(),
                created_by=self.actor,
            )
        )
        self.conn.execute(
            update(s.segments)
            .where(s.segments.c.key == key)
            .values(revision=revision, updated_at=now(), updated_by=self.actor)
        )
        self.log("revise", key, revision=revision)
        return revision

    def set_tags(self, key: str, tag_list: Sequence[str], *, log: bool = True) -> None:
        self.conn.execute(delete(s.tags).where(s.tags.c.segment == key))
        for tag in sorted(set(tag_list)):
            self.conn.execute(insert(s.tags).values(segment=key, tag=tag))
        if log:
            self.log("tag", key, tags=sorted(set(tag_list)))

    def delete_segment(self, key: str) -> None:
        self.require(key)
        for table in (s.tags, s.revisions, s.static_members, s.consumers, s.versions):
            self.conn.execute(delete(table).where(table.c.segment == key))
        self.conn.execute(delete(s.segments).where(s.segments.c.key == key))
        self.log("delete", key)

    def add_static(self, key: str, profiles: Iterable[str]) -> int:
        have = set(self.static_members(key))
        new = sorted({str(p) for p in profiles} - have)
        when = now()
        if new:
            self.conn.execute(
                insert(s.static_members),
                [
                    {"segment": key, "profile": p, "added_at": when, "added_by": self.actor}
                    for p in new
                ],
            )
        self.log("static_add", key, added=len(new))
        return len(new)

    def clear_static(self, key: str) -> int:
        """Remove every hand-picked member of a segment (one statement, however many)."""
        gone = self.conn.execute(
            delete(s.static_members).where(s.static_members.c.segment == key)
        ).rowcount
        self.log("static_remove", key, removed=gone)
        return int(gone)

    def remove_static(self, key: str, profiles: Iterable[str]) -> int:
        gone = {str(p) for p in profiles} & set(self.static_members(key))
        if gone:
            self.conn.execute(
                delete(s.static_members).where(
                    s.static_members.c.segment == key, s.static_members.c.profile.in_(sorted(gone))
                )
            )
        self.log("static_remove", key, removed=len(gone))
        return len(gone)

    def register_consumer(
        self, key: str, *, kind: str, name: str, role: str = "target", link: str = ""
    ) -> Consumer:
        self.require(key)
        existing = self.conn.execute(
            select(s.consumers.c.id).where(
                s.consumers.c.segment == key, s.consumers.c.kind == kind, s.consumers.c.name == name
            )
        ).first()
        if existing:
            self.conn.execute(
                update(s.consumers)
                .where(s.consumers.c.id == existing[0])
                .values(role=role, link=link)
            )
        else:
            self.conn.execute(
                insert(s.consumers).values(
                    segment=key, kind=kind, name=name, role=role, link=link, registered_at=now()
                )
            )
        self.log("register_consumer", key, kind=kind, name=name, role=role)
        return next(c for c in self.consumers(key) if c.kind == kind and c.name == name)

    def remove_consumer(self, key: str, consumer_id: int) -> None:
        if not _storable(consumer_id):
            raise NotFoundError(f"segment {key!r} has no consumer {consumer_id}")
        done = self.conn.execute(
            delete(s.consumers).where(s.consumers.c.segment == key, s.consumers.c.id == consumer_id)
        )
        if not done.rowcount:
            raise NotFoundError(f"segment {key!r} has no consumer {consumer_id}")
        self.log("remove_consumer", key, id=consumer_id)

    # --- runs -------------------------------------------------------------------------

    def create_run(
        self,
        *,
        kind: str,
        plan: Sequence[tuple[str, Sequence[str], int | None]],
        schedule_key: str | None = None,
        as_of: dt.datetime | None = None,
    ) -> Run:
        """A queued run with one queued task per (segment, depends_on, revision) of the plan."""
        try:
            with self.conn.begin_nested():  # a duplicate must not spoil the transaction
                result = self.conn.execute(
                    insert(s.runs).values(
                        kind=kind,
                        status=RunStatus.QUEUED.value,
                        schedule_key=schedule_key,
                        requested_by=self.actor,
                        as_of=as_of,
                        created_at=now(),
                        cancel_requested=False,
                    )
                )
        except IntegrityError:
            raise ConflictError(f"a run for {schedule_key!r} already exists") from None
        run_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        for position, (key, deps, revision) in enumerate(plan):
            self.conn.execute(
                insert(s.tasks).values(
                    run_id=run_id,
                    segment=key,
                    position=position,
                    depends_on=list(deps),
                    revision=revision,
                    status=TaskStatus.QUEUED.value,
                )
            )
        self.log("run_create", None, run=run_id, kind=kind, segments=[p[0] for p in plan])
        return self.run(run_id)

    def move_run(self, run_id: int, new: RunStatus, *, error: str | None = None) -> Run:
        """The one way a run changes state."""
        run = self.run(run_id)
        check_run(run.status, new)
        values: dict[str, Any] = {"status": new.value}
        if new is RunStatus.RUNNING:
            values["started_at"] = now()
        if new.finished:
            values["finished_at"] = now()
            values["lease_owner"] = None
            values["lease_expires_at"] = None
        if error is not None:
            values["error"] = error
        self.conn.execute(update(s.runs).where(s.runs.c.id == run_id).values(**values))
        return self.run(run_id)

    def move_task(self, run_id: int, key: str, new: TaskStatus, **result: Any) -> Task:
        """The one way a task changes state; `result` sets members/entered/exited/version/error."""
        if not _storable(run_id):
            raise NotFoundError(f"run {run_id} has no task for {key!r}")
        row = self.conn.execute(
            select(s.tasks).where(s.tasks.c.run_id == run_id, s.tasks.c.segment == key)
        ).first()
        if row is None:
            raise NotFoundError(f"run {run_id} has no task for {key!r}")
        check_task(TaskStatus(row.status), new)
        values: dict[str, Any] = {"status": new.value, **result}
        if new is TaskStatus.RUNNING:
            values["started_at"] = now()
        if new.finished:
            values["finished_at"] = now()
        self.conn.execute(
            update(s.tasks)
            .where(s.tasks.c.run_id == run_id, s.tasks.c.segment == key)
            .values(**values)
        )
        seg_values: dict[str, Any] = {}
        if new.finished and new is not TaskStatus.CANCELLED:
            seg_values = {"last_status": new.value, "last_error": result.get("error")}
        if seg_values:
            self.conn.execute(
                update(s.segments).where(s.segments.c.key == key).values(**seg_values)
            )
        return _task(
            self.conn.execute(
                select(s.tasks).where(s.tasks.c.run_id == run_id, s.tasks.c.segment == key)
            ).one()
        )

    def take_lease(self, run_id: int, owner: str, seconds: float) -> bool:
        """Claim or extend a run's lease; False when another owner holds a live lease."""
        if not _storable(run_id):
            return False
        until = now() + dt.timedelta(seconds=seconds)
        done = self.conn.execute(
            update(s.runs)
            .where(
                s.runs.c.id == run_id,
                s.runs.c.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]),
                or_(
                    s.runs.c.lease_owner.is_(None),
                    s.runs.c.lease_owner == owner,
                    s.runs.c.lease_expires_at < now(),
                ),
            )
            .values(lease_owner=owner, lease_expires_at=until)
        )
        return bool(done.rowcount)

    def expired_runs(self) -> list[int]:
        rows = self.conn.execute(
            select(s.runs.c.id).where(
                s.runs.c.status == RunStatus.RUNNING.value,
                or_(s.runs.c.lease_expires_at.is_(None), s.runs.c.lease_expires_at < now()),
            )
        )
        return [r[0] for r in rows]

    def request_cancel(self, run_id: int) -> Run:
        """Ask a run to stop. A queued run that no live process holds is cancelled at once
        (nobody would see the request); a held one stops at its worker's next look."""
        run = self.run(run_id)
        if run.status.finished:
            raise UserError(f"run {run_id} has already finished ({run.status.value})")
        self.conn.execute(update(s.runs).where(s.runs.c.id == run_id).values(cancel_requested=True))
        self.log("run_cancel", None, run=run_id)
        held = run.lease_owner is not None and (
            run.lease_expires_at is not None and run.lease_expires_at > now()
        )
        if run.status is RunStatus.QUEUED and not held:
            for task in run.tasks:
                if task.status is TaskStatus.QUEUED:
                    self.move_task(run_id, task.segment, TaskStatus.CANCELLED)
            return self.move_run(run_id, RunStatus.CANCELLED)
        return self.run(run_id)

    # --- versions ---------------------------------------------------------------------

    def record_version(
        self,
        key: str,
        *,
        version: int,
        run_id: int | None,
        as_of: dt.datetime,
        members: int,
        entered: int,
        exited: int,
    ) -> None:
        """Record a written version and make it the one readers pin, in this transaction."""
        when = now()
        self.conn.execute(
            insert(s.versions).values(
                segment=key,
                version=version,
                run_id=run_id,
                as_of=as_of,
                created_at=when,
                members=members,
                entered=entered,
                exited=exited,
                pruned=False,
            )
        )
        self.conn.execute(
            update(s.segments)
            .where(s.segments.c.key == key)
            .values(current_version=version, members=members, last_refreshed_at=when)
        )

    def pin(self, key: str, version: int, reader: str, seconds: float) -> int:
        """Keep a version from being pruned while `reader` reads it (until the pin expires)."""
        result = self.conn.execute(
            insert(s.pins).values(
                segment=key,
                version=version,
                reader=reader,
                expires_at=now() + dt.timedelta(seconds=seconds),
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def unpin(self, pin_id: int) -> None:
        if not _storable(pin_id):
            return
        self.conn.execute(delete(s.pins).where(s.pins.c.id == pin_id))

    def mark_pruned(self, key: str, version_numbers: Sequence[int]) -> None:
        if version_numbers:
            self.conn.execute(
                update(s.versions)
                .where(s.versions.c.segment == key, s.versions.c.version.in_(list(version_numbers)))
                .values(pruned=True)
            )

    def set_setting(self, key: str, value: Any) -> None:
        exists = self.conn.execute(select(s.settings.c.key).where(s.settings.c.key == key)).first()
        if exists:
            self.conn.execute(update(s.settings).where(s.settings.c.key == key).values(value=value))
        else:
            self.conn.execute(insert(s.settings).values(key=key, value=value))
        self.log("setting", None, key=key, value=value)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


class Store:
    """The metadata database."""

    def __init__(self, engine: Engine, sealer: Sealer | None = None) -> None:
        self.engine = engine
        self.sealer = sealer
        # An in-memory SQLite database lives in one connection, shared by every thread
        # (StaticPool), so its transactions take turns.
        self._turns: AbstractContextManager[Any] = (
            threading.RLock() if isinstance(engine.pool, StaticPool) else nullcontext()
        )

    @classmethod
    def open(cls, url: str, *, migrate: bool = True, sealer: Sealer | None = None) -> Store:
        """Connect (SQLite or PostgreSQL) and bring the schema up to date; `sealer` encrypts
        destination secrets."""
        parsed = make_url(url)
        sqlite = parsed.get_backend_name() == "sqlite"
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30} if sqlite else {},
            pool_pre_ping=not sqlite,
            # By default each thread would get its own, empty, in-memory database.
            **({"poolclass": StaticPool} if sqlite and _in_memory(parsed) else {}),
        )
        if sqlite:
            _sqlite_transactions(engine)
        store = cls(engine, sealer)
        if migrate:
            from segmint.store.migrate import upgrade

            upgrade(engine, sealer=sealer)
        return store

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Reader]:
        with self._turns, self.engine.connect() as conn:
            conn.info["write"] = False
            with conn.begin():
                reader = Reader(conn)
                reader.sealer = self.sealer
                yield reader

    @contextmanager
    def write(self, actor: str = "system") -> Iterator[Writer]:
        with self._turns, self.engine.connect() as conn:
            conn.info["write"] = True
            with conn.begin():
                writer = Writer(conn, actor)
                writer.sealer = self.sealer
                yield writer


def _in_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def _sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not pysqlite, issue BEGIN; writers take the lock up front."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")


__all__ = ["Reader", "Store", "Writer"]

"""Planning a run: which segments, in which order, each after the inputs it reads.

A compound segment reads its inputs' stored members, so when an input is refreshed in the
same run, the compound task waits for it (and is skipped if it fails). Plans are graphs
without cycles; the definition checker rejects reference cycles before anything is saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from segmint.errors import InternalError


@dataclass(frozen=True)
class Step:
    """One task of a plan: a segment, the tasks it waits for, the revision it refreshes."""

    segment: str
    depends_on: tuple[str, ...]
    revision: int | None


def plan(
    requested: Sequence[str],
    inputs: Mapping[str, set[str]],
    revisions: Mapping[str, int | None],
    after: Mapping[str, set[str]] | None = None,
) -> list[Step]:
    """Order the requested segments so every task comes after the inputs it depends on.

    `after` only orders: a dynamic segment referencing another is placed after it (so it
    can reuse the members just written) but does not wait for it or fail with it.
    """
    wanted = list(dict.fromkeys(requested))
    chosen = set(wanted)
    deps = {key: sorted(inputs.get(key, set()) & chosen) for key in wanted}
    soft = {key: sorted((after or {}).get(key, set()) & chosen) for key in wanted}
    ordered: list[Step] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(key: str) -> None:
        if key in done:
            return
        if key in visiting:
            raise InternalError(f"segment references form a cycle through {key!r}")
        visiting.add(key)
        for dep in [*deps[key], *soft[key]]:
            visit(dep)
        visiting.discard(key)
        done.add(key)
        ordered.append(Step(key, tuple(deps[key]), revisions.get(key)))

    for key in wanted:
        visit(key)
    return ordered

"""Planning a run: every task after the inputs it reads, only inputs in the same run."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from segmint.errors import InternalError
from segmint.runs.planner import Step, plan


def test_inputs_come_first_and_only_requested_ones_are_waited_for() -> None:
    steps = plan(
        ["loyal", "vip", "churn"],
        {"loyal": {"vip", "churn", "repeat"}, "vip": set()},
        {"loyal": 2, "vip": 1},
    )
    assert steps == [
        Step("churn", (), None),  # a task's inputs are planned in key order
        Step("vip", (), 1),
        Step("loyal", ("churn", "vip"), 2),
    ]


def test_references_only_order_the_plan() -> None:
    """A dynamic segment referencing another comes after it, to reuse its members, but does
    not depend on it: it would still be evaluated if that one failed."""
    steps = plan(["either", "vip", "other"], {}, {}, after={"either": {"vip", "elsewhere"}})
    assert steps == [Step("vip", (), None), Step("either", (), None), Step("other", (), None)]


def test_requested_order_is_kept_where_nothing_depends() -> None:
    keys = ["c", "a", "b"]
    assert [s.segment for s in plan(keys, {}, {})] == keys


def test_duplicates_are_planned_once() -> None:
    steps = plan(["a", "b", "a"], {"b": {"a"}}, {})
    assert [(s.segment, s.depends_on) for s in steps] == [("a", ()), ("b", ("a",))]


def test_chains_are_ordered_deepest_first() -> None:
    steps = plan(["top", "middle", "bottom"], {"top": {"middle"}, "middle": {"bottom"}}, {})
    assert [s.segment for s in steps] == ["bottom", "middle", "top"]


def test_a_cycle_is_an_internal_error() -> None:
    with pytest.raises(InternalError, match="cycle through"):
        plan(["a", "b"], {"a": {"b"}, "b": {"a"}}, {})
    with pytest.raises(InternalError, match="cycle through 'a'"):
        plan(["a"], {"a": {"a"}}, {})


def test_empty() -> None:
    assert plan([], {}, {}) == []


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[str], dict[str, set[str]]]:
    """Random acyclic reference graphs (edges only to earlier keys), requested in any order."""
    size = draw(st.integers(0, 12))
    keys = [f"s{i}" for i in range(size)]
    inputs = {
        key: set(draw(st.lists(st.sampled_from(keys[:i]), max_size=4))) if i else set()
        for i, key in enumerate(keys)
    }
    inputs = {k: v | {"outside"} if draw(st.booleans()) else v for k, v in inputs.items()}
    requested = draw(st.lists(st.sampled_from(keys), unique=True)) if keys else []
    return requested, inputs


@given(graphs())
def test_any_acyclic_graph_is_planned_in_dependency_order(
    graph: tuple[list[str], dict[str, set[str]]],
) -> None:
    requested, inputs = graph
    steps = plan(requested, inputs, {k: int(k[1:]) for k in requested})
    assert sorted(s.segment for s in steps) == sorted(requested)
    position = {s.segment: i for i, s in enumerate(steps)}
    for step in steps:
        assert set(step.depends_on) == inputs[step.segment] & set(requested)
        assert list(step.depends_on) == sorted(step.depends_on)
        assert all(position[d] < position[step.segment] for d in step.depends_on)
        assert step.revision == int(step.segment[1:])

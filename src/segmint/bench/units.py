"""How the benchmark's report writes its figures: times, ratios, memory, rows, marks."""

from __future__ import annotations

TIMES = "\u00d7"  # the multiplication sign of ratios
NONE = "\u2013"  # an en dash for a figure that is not there
GIB = 1024**3
MIB = 1024**2


def seconds(value: float | None) -> str:
    """0.0123 -> 12.3 ms; 2.5 -> 2.50 s."""
    if value is None:
        return NONE
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def times(value: float | None) -> str:
    """A ratio, with the multiplication sign: 1.42 and TIMES."""
    return NONE if value is None else f"{value:.2f}{TIMES}"


def memory(value: int | None) -> str:
    if not value:
        return NONE
    return f"{value / GIB:.2f} GiB" if value >= GIB else f"{value / MIB:.0f} MiB"


def number(value: int) -> str:
    return f"{value:,}"


def rate(value: float) -> str:
    return f"{value:,.0f} rows/s"


def mark(met: bool | None) -> str:
    """✓ when a target is met, ✗ when not, nothing when there is no verdict."""
    if met is None:
        return ""
    return " \u2713" if met else " \u2717"

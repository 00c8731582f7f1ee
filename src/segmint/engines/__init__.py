"""Engines evaluate compiled definitions; heavy libraries load only when one is opened."""

from segmint.engines.base import Engine, Explanation, Page

__all__ = ["Engine", "Explanation", "Page"]

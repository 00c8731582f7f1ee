"""Compiling definitions into engine-neutral Ibis expressions."""

from segmint.compiler.compile import HANDLERS, compile_predicate
from segmint.compiler.tables import Tables
from segmint.compiler.timeline import Clock

__all__ = ["HANDLERS", "Clock", "Tables", "compile_predicate"]

"""The command-line interface (Typer + Rich): a thin face over segmint.services."""

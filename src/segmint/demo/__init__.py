"""The demo workspace: deterministic synthetic retail and marketing data, its model and segments."""

from segmint.demo.distributions import DEMO_AS_OF, HISTORY_DAYS
from segmint.demo.generate import Progress, definition_files, generate_workspace_data

__all__ = [
    "DEMO_AS_OF",
    "HISTORY_DAYS",
    "Progress",
    "definition_files",
    "generate_workspace_data",
]

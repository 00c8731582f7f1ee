"""Loading a workspace's sources into its engine."""

from __future__ import annotations

from segmint.engines.changes import ChangeLog
from segmint.progress import Progress, silent
from segmint.sources.ingest import IngestReport, ingest
from segmint.workspace import Workspace


def ingest_workspace(ws: Workspace, progress: Progress = silent) -> IngestReport:
    """Load every source of model.yaml; all or nothing."""
    con = ws.connect()
    try:
        report = ingest(con, ws.root, ws.model, progress)
        catalog = ws.catalog(con)  # the model must now be complete (every type known)
        # Everything may have changed: the next refresh of every segment is a full one.
        ChangeLog(con, catalog).forget_marks()
        return report
    finally:
        con.close()

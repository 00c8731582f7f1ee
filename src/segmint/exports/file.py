"""The file destination: one CSV or Parquet file per segment and version, written atomically.

Files are named `<segment>-v<version>.csv` (or `.parquet`) in the destination's folder: a
local path (relative paths start in the workspace) or, where fsspec is installed, any
fsspec URL (`s3://bucket/drop`). A file is written under a temporary name in the same folder
and renamed when complete, so readers never see half a file. Columns: `id` (the ID field),
then the export's mapped fields. CSV is RFC 4180 UTF-8 with a header; instants are ISO 8601
in UTC, lists JSON arrays, empty cells missing values; Parquet keeps the engine's types.
A file drop is for systems, not spreadsheets: cells are written as they are (use the
members download for a spreadsheet-safe CSV).
"""

from __future__ import annotations

import csv
import importlib
import io
import json
import uuid
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, Literal

from segmint.exports.base import (
    Batch,
    BatchResult,
    Context,
    DestinationError,
    Row,
    TypeSettings,
    json_value,
)


class FileSettings(TypeSettings):
    """A folder receiving one file per segment and version."""

    SECRETS: ClassVar[tuple[str, ...]] = ()

    path: str  # a folder: a local path or an fsspec URL
    format: Literal["csv", "parquet"] = "csv"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return json.dumps(json_value(value), ensure_ascii=False)
    return str(json_value(value))


class Folder:
    """Where files go: the local file system, or an fsspec file system."""

    def __init__(self, location: str, root: Path) -> None:
        self.location = location
        self.fs: Any = None
        if "://" in location and not location.startswith("file://"):
            try:
                fsspec = importlib.import_module("fsspec")
            except ImportError:
                raise DestinationError(
                    f"{location}: file destinations at URLs need fsspec (pip install fsspec "
                    "and the package for the URL's scheme)"
                ) from None
            self.fs, self.base = fsspec.core.url_to_fs(location)
        else:
            local = Path(location.removeprefix("file://")).expanduser()
            self.base = str(local if local.is_absolute() else root / local)

    def path(self, name: str) -> str:
        return f"{self.base.rstrip('/')}/{name}"

    def ensure(self) -> None:
        if self.fs is None:
            Path(self.base).mkdir(parents=True, exist_ok=True)
        else:
            self.fs.makedirs(self.base, exist_ok=True)

    def open_write(self, path: str) -> BinaryIO:
        if self.fs is None:
            return Path(path).open("wb")
        handle: BinaryIO = self.fs.open(path, "wb")
        return handle

    def replace(self, source: str, target: str) -> None:
        if self.fs is None:
            Path(source).replace(target)
        else:
            self.fs.mv(source, target)

    def remove(self, path: str) -> None:
        try:
            if self.fs is None:
                Path(path).unlink(missing_ok=True)
            elif self.fs.exists(path):
                self.fs.rm(path)
        except OSError:
            pass


class FileDrop:
    """Writes whole versions as files."""

    full_replace: bool = True
    batch_rows: int = 1
    batch_bytes: int | None = None

    def __init__(self, settings: FileSettings, context: Context) -> None:
        self.settings = settings
        self.folder = Folder(settings.path, context.root)

    def row_bytes(self, row: Row) -> int:  # noqa: ARG002 - one batch holds everything
        return 0

    def file_name(self, segment: str, version: int) -> str:
        return f"{segment}-v{version}.{self.settings.format}"

    def send(self, batch: Batch) -> BatchResult:
        if batch.source is None:
            raise DestinationError("a file delivery needs the whole version")
        try:
            self.folder.ensure()
            name = self.file_name(batch.segment.key, batch.version)
            final = self.folder.path(name)
            partial = self.folder.path(f".{name}.partial-{uuid.uuid4().hex[:8]}")
            try:
                with self.folder.open_write(partial) as handle:
                    rows = self._write(handle, batch)
                self.folder.replace(partial, final)
            except BaseException:
                self.folder.remove(partial)
                raise
        except OSError as exc:
            raise DestinationError(f"cannot write to {self.settings.path}: {exc}") from None
        return BatchResult(info={"file": final, "rows": rows})

    def _write(self, handle: BinaryIO, batch: Batch) -> int:
        if batch.source is None:
            raise DestinationError("a file delivery needs the whole version")
        rows = 0
        if self.settings.format == "parquet":
            import pyarrow.parquet as pq

            writer: Any = None
            for chunk in batch.source.arrow():
                if writer is None:
                    writer = pq.ParquetWriter(handle, chunk.schema)
                writer.write_batch(chunk)
                rows += chunk.num_rows
            if writer is not None:
                writer.close()
            return rows
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        out = csv.writer(text, lineterminator="\r\n")
        columns = list(batch.source.columns)
        out.writerow(["id", *columns])
        for chunk in batch.source.chunks():
            for row in chunk:
                out.writerow([_cell(row.id), *(_cell(row.fields[c]) for c in columns)])
                rows += 1
        text.flush()
        text.detach()
        return rows

    def test(self) -> str:
        try:
            self.folder.ensure()
            probe = self.folder.path(f".segmint-test-{uuid.uuid4().hex[:8]}")
            with self.folder.open_write(probe) as handle:
                handle.write(b"ok")
            self.folder.remove(probe)
        except OSError as exc:
            raise DestinationError(f"cannot write to {self.settings.path}: {exc}") from None
        return f"{self.settings.path} is writable"

    def close(self) -> None:
        return None


class FileType:
    """CSV or Parquet files in a folder."""

    name = "file"
    settings = FileSettings
    description = "CSV or Parquet files in a folder, one per segment and version"

    def open(self, settings: Any, id_field: str, context: Context) -> FileDrop:  # noqa: ARG002
        return FileDrop(settings, context)

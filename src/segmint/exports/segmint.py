"""The segmint destination: another Segmint instance, reached over its API (the mirror).

Each export sends the segment's whole membership, as the values of the ID field, to
`PUT <url>/api/external-segments/<prefix><segment>` with the batch id as Idempotency-Key.
The target keeps only its existing profiles whose keys match, replaces the mirror
completely, and answers how many IDs matched and how many did not; both are recorded on the
export run. The target's answers are handled like a webhook's: 408, 425, 429 and 5xx are
retried (honouring Retry-After), any other error stops the delivery.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx
from pydantic import SecretStr, field_validator

from segmint import __version__
from segmint.exports.base import (
    Batch,
    BatchResult,
    Context,
    DestinationError,
    Row,
    TransientError,
    TypeSettings,
    json_value,
)
from segmint.exports.network import check_url, check_url_shape
from segmint.exports.retry import parse_retry_after

RETRIED = {408, 425, 429}


class SegmintSettings(TypeSettings):
    """Another Segmint instance's API."""

    SECRETS: ClassVar[tuple[str, ...]] = ("token",)

    url: str  # the target instance's address, e.g. https://marketing.example.com
    audience: str | None = None  # the target's audience; default: the segment's
    key_prefix: str = ""  # put before segment keys at the target
    token: SecretStr | None = None  # sent as a bearer token

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            return check_url_shape(value).rstrip("/")
        except DestinationError as exc:
            raise ValueError(exc.message) from None


class SegmintMirror:
    """Replaces external segments at another Segmint instance."""

    full_replace: bool = True
    batch_rows: int = 1
    batch_bytes: int | None = None

    def __init__(self, settings: SegmintSettings, context: Context) -> None:
        self.settings = settings
        self.context = context
        headers = {"user-agent": f"segmint/{__version__}", "x-segmint-actor": "export"}
        if settings.token is not None:
            headers["authorization"] = f"Bearer {settings.token.get_secret_value()}"
        self.client = httpx.Client(timeout=context.timeout, follow_redirects=False, headers=headers)

    def row_bytes(self, row: Row) -> int:  # noqa: ARG002 - one batch holds everything
        return 0

    def target_key(self, segment: str) -> str:
        return f"{self.settings.key_prefix}{segment}"

    def send(self, batch: Batch) -> BatchResult:
        if batch.source is None:
            raise DestinationError("a mirror delivery needs the whole version")
        ids: list[Any] = []
        missing = 0
        for chunk in batch.source.chunks():
            for row in chunk:
                if row.id is None:
                    missing += 1
                else:
                    ids.append(json_value(row.id))
        source = self.context.public_url.rstrip("/")
        body = {
            "name": batch.segment.name,
            "audience": self.settings.audience or batch.segment.audience,
            "external_source": self.context.source_name,
            "external_url": f"{source}/segments/{batch.segment.key}" if source else "",
            "version": batch.version,
            "ids": [str(i) for i in ids],
        }
        url = f"{self.settings.url}/api/external-segments/{self.target_key(batch.segment.key)}"
        check_url(url, allow_private=self.context.allow_private)
        try:
            answer = self.client.put(url, json=body, headers={"idempotency-key": batch.batch_id})
        except httpx.TimeoutException:
            raise TransientError(f"{self.settings.url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise TransientError(f"{self.settings.url}: {type(exc).__name__}: {exc}") from None
        status = answer.status_code
        if 200 <= status < 300:
            found = answer.json()
            return BatchResult(
                info={
                    "target": self.target_key(batch.segment.key),
                    "sent": len(ids),
                    "matched": found.get("matched"),
                    "unmatched": found.get("unmatched"),
                    "without_id": missing,
                }
            )
        said = _detail(answer)
        if status in RETRIED or status >= 500:
            raise TransientError(
                f"the target answered {status}{said}",
                parse_retry_after(answer.headers.get("retry-after")),
            )
        raise DestinationError(f"the target answered {status}{said}")

    def test(self) -> str:
        url = f"{self.settings.url}/api/health"
        check_url(url, allow_private=self.context.allow_private)
        try:
            answer = self.client.get(url)
        except httpx.HTTPError as exc:
            raise DestinationError(f"{self.settings.url}: {type(exc).__name__}: {exc}") from None
        if answer.status_code != 200:
            raise DestinationError(f"{url} answered {answer.status_code}")
        version = answer.json().get("version", "?")
        return f"{self.settings.url} is a Segmint instance (version {version})"

    def close(self) -> None:
        self.client.close()


def _detail(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return ""
    if isinstance(body, dict) and body.get("detail"):
        return f": {body['detail']}"
    return ""


class SegmintType:
    """Another Segmint instance: exported segments arrive there as external mirrors."""

    name = "segmint"
    settings = SegmintSettings
    description = "another Segmint instance: segments arrive as external mirrors, in draft"

    def open(self, settings: Any, id_field: str, context: Context) -> SegmintMirror:  # noqa: ARG002
        return SegmintMirror(settings, context)

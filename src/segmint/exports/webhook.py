"""The webhook destination: batched, signed JSON POSTs of added and removed members.

Each batch is one POST signed per the Standard Webhooks spec (`webhook-id`, the batch's
stable id, the same on every retry; `webhook-timestamp`; `webhook-signature`, an HMAC-SHA256
with the destination's `whsec_` secret). The body:

    {"type": "segment.members.snapshot" | "segment.members.changed", "timestamp": ...,
     "data": {"export", "segment": {key, name, audience}, "delivery", "version",
              "base_version", "batch": {number, id, last}, "added": [{id, fields}],
              "removed": [{id}]}}

A snapshot lists every member (and removes what an earlier delivery sent that is gone);
receivers that keep their own copy can replace it when the snapshot's last batch arrives.
Answers: 2xx accepted, optionally `{"rejected": [{"id", "reason"}]}` naming refused rows;
408, 425, 429 and 5xx (and timeouts) are retried, honouring Retry-After; 400, 413 and 422
refuse the batch's content (it is split to find the bad rows); any other answer (401, 403,
404, 410, redirects) stops the delivery.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import Any, ClassVar

import httpx
from pydantic import Field, SecretStr, field_validator

from segmint import __version__
from segmint.exports.base import (
    Batch,
    BatchResult,
    Context,
    DestinationError,
    RefusedError,
    Row,
    TransientError,
    TypeSettings,
    dumps,
    json_value,
)
from segmint.exports.network import check_url, check_url_shape
from segmint.exports.retry import parse_retry_after

RETRIED = {408, 425, 429}
REFUSED = {400, 413, 422}
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret


def new_secret() -> str:
    """A fresh signing secret in the Standard Webhooks form (whsec_ + base64)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookSettings(TypeSettings):
    """A URL receiving signed JSON batches."""

    SECRETS: ClassVar[tuple[str, ...]] = ("secret",)

    url: str  # where batches are POSTed
    batch_size: int = Field(default=500, ge=1, le=100_000)  # most rows in one POST
    max_bytes: int = Field(default=1_000_000, ge=1024, le=100_000_000)  # most bytes in one POST
    secret: SecretStr | None = None  # whsec_...; generated when not given

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            return check_url_shape(value)
        except DestinationError as exc:
            raise ValueError(exc.message) from None

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        from standardwebhooks import Webhook

        try:
            Webhook(value.get_secret_value())
        except Exception:  # noqa: BLE001 - any decoding failure means a bad secret
            raise ValueError("not a Standard Webhooks secret (whsec_ then base64)") from None
        return value


def sign(secret: str, batch_id: str, when: dt.datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers for one attempt."""
    from standardwebhooks import Webhook

    signature = Webhook(secret).sign(batch_id, when, body)
    return {
        "webhook-id": batch_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
    }


def payload(batch: Batch, rows: list[Row], when: dt.datetime) -> dict[str, Any]:
    kind = "snapshot" if batch.kind == "snapshot" else "changed"
    return {
        "type": f"segment.members.{kind}",
        "timestamp": json_value(when),
        "data": {
            "export": batch.export,
            "segment": {
                "key": batch.segment.key,
                "name": batch.segment.name,
                "audience": batch.segment.audience,
            },
            "delivery": batch.delivery,
            "version": batch.version,
            "base_version": batch.base_version,
            "batch": {"number": batch.number, "id": batch.batch_id, "last": batch.last},
            "added": [
                {"id": json_value(r.id), "fields": {k: json_value(v) for k, v in r.fields.items()}}
                for r in rows
                if r.action == "add"
            ],
            "removed": [{"id": json_value(r.id)} for r in rows if r.action == "remove"],
        },
    }


class Webhook:
    """Delivers batches to one URL."""

    full_replace: bool = False

    def __init__(self, settings: WebhookSettings, context: Context) -> None:
        self.settings = settings
        self.context = context
        self.batch_rows = settings.batch_size
        self.batch_bytes: int | None = settings.max_bytes
        secret = settings.secret.get_secret_value() if settings.secret else ""
        if not secret:
            raise DestinationError("the webhook destination has no signing secret")
        self.secret = secret
        self.client = httpx.Client(
            timeout=context.timeout,
            follow_redirects=False,
            headers={"user-agent": f"segmint/{__version__}"},
        )

    def row_bytes(self, row: Row) -> int:
        if row.action == "remove":
            return len(dumps({"id": row.id}).encode()) + 1
        return len(dumps({"id": row.id, "fields": row.fields}).encode()) + 1

    def send(self, batch: Batch) -> BatchResult:
        check_url(self.settings.url, allow_private=self.context.allow_private)
        when = dt.datetime.now(dt.UTC).replace(microsecond=0)
        body = dumps(payload(batch, list(batch.rows), when))
        headers = {
            "content-type": "application/json",
            **sign(self.secret, batch.batch_id, when, body),
        }
        try:
            answer = self.client.post(self.settings.url, content=body.encode(), headers=headers)
        except httpx.TimeoutException:
            raise TransientError(f"{self.settings.url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise TransientError(f"{self.settings.url}: {type(exc).__name__}: {exc}") from None
        return self._answer(answer, batch)

    def _answer(self, answer: httpx.Response, batch: Batch) -> BatchResult:
        status = answer.status_code
        said = answer.text[:300].strip()
        if 200 <= status < 300:
            return BatchResult(rejects=_rejects(answer, batch))
        if status in RETRIED or status >= 500:
            raise TransientError(
                f"the webhook answered {status}" + (f": {said}" if said else ""),
                parse_retry_after(answer.headers.get("retry-after")),
            )
        if status in REFUSED:
            raise RefusedError(
                f"the webhook refused the batch ({status})" + (f": {said}" if said else "")
            )
        if 300 <= status < 400:
            raise DestinationError(
                f"the webhook answered a redirect ({status}); redirects are not followed"
            )
        raise DestinationError(f"the webhook answered {status}" + (f": {said}" if said else ""))

    def test(self) -> str:
        """POST a signed `segmint.ping` event; any 2xx answer passes."""
        check_url(self.settings.url, allow_private=self.context.allow_private)
        when = dt.datetime.now(dt.UTC).replace(microsecond=0)
        ping_id = f"ping_{secrets.token_hex(8)}"
        body = dumps({"type": "segmint.ping", "timestamp": json_value(when), "data": {}})
        headers = {"content-type": "application/json", **sign(self.secret, ping_id, when, body)}
        try:
            answer = self.client.post(self.settings.url, content=body.encode(), headers=headers)
        except httpx.HTTPError as exc:
            raise DestinationError(f"{self.settings.url}: {type(exc).__name__}: {exc}") from None
        if not 200 <= answer.status_code < 300:
            raise DestinationError(
                f"{self.settings.url} answered the ping with {answer.status_code}"
            )
        return f"{self.settings.url} accepted a signed ping ({answer.status_code})"

    def close(self) -> None:
        self.client.close()


def _rejects(answer: httpx.Response, batch: Batch) -> list[tuple[Any, str]]:
    """Rows the receiver refused, from `{"rejected": [{"id": ..., "reason": ...}]}`."""
    try:
        body = answer.json()
    except ValueError:
        return []
    listed = body.get("rejected") if isinstance(body, dict) else None
    if not isinstance(listed, list):
        return []
    sent = {str(json_value(r.id)) for r in batch.rows}
    return [
        (item.get("id"), str(item.get("reason") or "refused"))
        for item in listed
        if isinstance(item, dict) and str(item.get("id")) in sent
    ]


class WebhookType:
    """Signed JSON POSTs of member changes (Standard Webhooks)."""

    name = "webhook"
    settings = WebhookSettings
    description = "batched, signed JSON POSTs of added and removed members"

    def open(self, settings: Any, id_field: str, context: Context) -> Webhook:  # noqa: ARG002
        return Webhook(settings, context)

"""Destination secrets encrypted at rest (Fernet: AES-128-CBC with an HMAC-SHA256 tag).

The keys come from the environment variable `SEGMINT_SECRET_KEY` (comma-separated, the first
one encrypts, every one decrypts) or else from the workspace's key file `secret.key` (one key
a line, the first one encrypts), created with mode 0600 the first time a secret is stored.
Rotating (`segmint destination rotate-key`) puts a new key first, re-encrypts every secret
with it, then drops the old keys from the file.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from segmint.errors import WorkspaceError

log = logging.getLogger("segmint.store")

KEY_ENV = "SEGMINT_SECRET_KEY"
KEY_FILE = "secret.key"


class SecretKeyError(WorkspaceError):
    """The secret key is missing, malformed, or not the one the secrets were encrypted with."""

    code = "secret_key_error"


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def _parse(keys: list[str], where: str) -> list[Fernet]:
    found = []
    for position, text in enumerate(keys, start=1):
        try:
            found.append(Fernet(text.strip().encode("ascii")))
        except (ValueError, UnicodeEncodeError):
            raise SecretKeyError(
                f"key {position} in {where} is not a Fernet key (32 url-safe base64-encoded "
                "bytes); make one with `segmint destination rotate-key`"
            ) from None
    return found


class Sealer:
    """Encrypts and decrypts the secret settings of destinations."""

    def __init__(
        self,
        read_keys: Callable[[], list[str]],
        where: str,
        create_key: Callable[[], list[str]] | None = None,
    ) -> None:
        self._read, self._create, self.where = read_keys, create_key, where

    def _keys(self, *, create: bool) -> MultiFernet:
        texts = self._read()
        if not texts and create and self._create is not None:
            texts = self._create()
        if not texts:
            raise SecretKeyError(
                f"no secret key to decrypt destination secrets: set {KEY_ENV} or restore the "
                f"key file ({self.where})"
            )
        return MultiFernet(_parse(texts, self.where))

    def seal(self, values: dict[str, Any]) -> str | None:
        """The values encrypted (None when there are none: nothing to protect)."""
        if not values:
            return None
        data = json.dumps(values, sort_keys=True).encode("utf-8")
        return self._keys(create=True).encrypt(data).decode("ascii")

    def open(self, token: str | None, what: str = "destination") -> dict[str, Any]:
        """The values of a sealed token; a clear error when the key does not fit."""
        if not token:
            return {}
        try:
            data = self._keys(create=False).decrypt(token.encode("ascii"))
        except InvalidToken:
            raise SecretKeyError(
                f"the secrets of {what} cannot be decrypted with the key from {self.where}: "
                "it is not the key they were encrypted with (restore the right key, or add "
                "it after the current one to decrypt with both)"
            ) from None
        values: dict[str, Any] = json.loads(data)
        return values

    def reseal(self, token: str | None, what: str = "destination") -> str | None:
        """The token encrypted again with the first key (for key rotation)."""
        if not token:
            return None
        try:
            return self._keys(create=False).rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise SecretKeyError(
                f"the secrets of {what} cannot be decrypted with any key from {self.where}"
            ) from None


def _env_keys() -> list[str] | None:
    value = os.environ.get(KEY_ENV)
    if value is None or not value.strip():
        return None
    return [k.strip() for k in value.split(",") if k.strip()]


class KeyFile:
    """The workspace's key file: one Fernet key a line, the first one current."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> list[str]:
        try:
            text = self.path.read_text(encoding="ascii")
        except FileNotFoundError:
            return []
        mode = self.path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("%s is readable by others; run chmod 600 on it", self.path)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def write(self, keys: list[str]) -> None:
        """Replace the file atomically, readable by its owner only."""
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, "".join(f"{k}\n" for k in keys).encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        temp.replace(self.path)

    def create(self) -> list[str]:
        """A first key, unless another process made one meanwhile."""
        existing = self.read()
        if existing:
            return existing
        key = new_key()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return self.read()
        try:
            os.write(fd, f"{key}\n".encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        return [key]


def workspace_sealer(root: Path) -> Sealer:
    """The sealer of a workspace: keys from SEGMINT_SECRET_KEY, else from its key file."""
    keys = KeyFile(root / KEY_FILE)

    def read() -> list[str]:
        env = _env_keys()
        return env if env is not None else keys.read()

    def create() -> list[str]:
        return _env_keys() or keys.create()

    where = f"{KEY_ENV}" if _env_keys() is not None else str(keys.path)
    return Sealer(read, where, create)


__all__ = [
    "KEY_ENV",
    "KEY_FILE",
    "KeyFile",
    "Sealer",
    "SecretKeyError",
    "new_key",
    "workspace_sealer",
]

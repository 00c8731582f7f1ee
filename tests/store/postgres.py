"""A throwaway PostgreSQL server for tests, started from the server programs on the machine.

`running_server()` creates a cluster in a private temporary folder (`initdb`), starts it
(`pg_ctl`) on 127.0.0.1 on a free port with durability off (fsync, full-page writes), and
removes it on exit. Databases on it are created and dropped with pytest-postgresql's
`DatabaseJanitor`, and the server is described by a pytest-postgresql `NoopExecutor`, so
that plugin's factories work on top of it.

PostgreSQL refuses to run as root. When the tests run as root (as in CI), the programs run
as the `postgres` OS user (created by the Debian/Ubuntu packages), else as `nobody`.

The server's time zone is deliberately not UTC, so tests notice timestamps that come back
in the session's time zone instead of UTC.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import platform
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_postgresql.executors.noop import NoopExecutor
from pytest_postgresql.janitor import DatabaseJanitor
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.pool import NullPool

SERVER_TIMEZONE = "Asia/Kolkata"  # +05:30, no daylight saving: any shift shows
PG_USER = "postgres"  # the database superuser (not the OS user)
INSTALLS = Path("/usr/lib/postgresql")  # Debian/Ubuntu: one folder per major version
START_ATTEMPTS = 5  # a free port can be taken between choosing it and binding it
LOCALE = "en_US.UTF-8" if platform.system() == "Darwin" else "C.UTF-8"

MISSING = """\
PostgreSQL server programs not found: looked for pg_ctl on PATH and in \
/usr/lib/postgresql/*/bin. These tests start a throwaway PostgreSQL server and need them: \
install the server (Debian/Ubuntu: `apt-get install postgresql`), put the folder holding \
pg_ctl, initdb and postgres on PATH, or name it with `pytest --postgresql-exec=.../pg_ctl`."""


# --- finding the programs ----------------------------------------------------------------


def _version_key(path: Path) -> tuple[int, ...]:
    """/usr/lib/postgresql/15/bin/pg_ctl -> (15,)."""
    found = re.search(r"/(\d+(?:\.\d+)*)/bin/pg_ctl$", str(path))
    return tuple(int(p) for p in found.group(1).split(".")) if found else ()


def find_bindir(
    pg_ctl: str | None = None, *, search_path: str | None = None, installs: Path | None = None
) -> Path | None:
    """The folder holding pg_ctl, initdb and postgres; None when there is none.

    `pg_ctl` names the program to use; otherwise pg_ctl on PATH (or `search_path`), else
    the newest version under `installs` (INSTALLS).
    """
    if pg_ctl:
        candidates = [Path(pg_ctl)]
    else:
        on_path = shutil.which("pg_ctl", path=search_path)
        candidates = [Path(on_path)] if on_path else []
        installed = (installs or INSTALLS).glob("*/bin/pg_ctl")
        candidates += sorted(installed, key=_version_key, reverse=True)
    for candidate in candidates:
        # /usr/local/bin/pg_ctl is often a link into the versioned folder holding the rest.
        bindir = candidate.resolve().parent
        if all(os.access(bindir / name, os.X_OK) for name in ("pg_ctl", "initdb", "postgres")):
            return bindir
    return None


def require_bindir(pg_ctl: str | None = None) -> Path:
    """find_bindir(), or fail the test (never skip it) saying what to install."""
    bindir = find_bindir(pg_ctl)
    if bindir is None:
        if pg_ctl:
            pytest.fail(
                f"--postgresql-exec={pg_ctl}: no pg_ctl, initdb and postgres there", pytrace=False
            )
        pytest.fail(MISSING, pytrace=False)
    return bindir


# --- running them ------------------------------------------------------------------------


@dataclass(frozen=True)
class OsUser:
    """The unprivileged OS account the server programs run as when we are root."""

    name: str
    uid: int
    gid: int


def server_os_user() -> OsUser | None:
    """None when not root (the programs run as us); else `postgres`, or `nobody`."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return OsUser(name, entry.pw_uid, entry.pw_gid)
    pytest.fail(
        "the tests run as root, which PostgreSQL refuses, and there is no `postgres` or "
        "`nobody` OS user to run the server as",
        pytrace=False,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    """A PostgreSQL cluster in `root`, its programs run as `os_user` (None: as ourselves)."""

    bindir: Path
    root: Path
    os_user: OsUser | None
    port: int = 0

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def logfile(self) -> Path:
        return self.root / "server.log"

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        # A clean environment: the caller's PGDATA, PGPORT... must not steer the programs.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": LOCALE, "LANG": LOCALE}
        user = self.os_user
        return subprocess.run(
            [str(self.bindir / program), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=self.root,
            timeout=120,
            check=False,
            user=user.uid if user else None,
            group=user.gid if user else None,
            extra_groups=[] if user else None,
        )

    def init(self) -> None:
        if self.os_user is not None:
            os.chown(self.root, self.os_user.uid, self.os_user.gid)
        done = self.run(
            "initdb",
            f"--pgdata={self.datadir}",
            f"--username={PG_USER}",
            "--auth=trust",
            "--encoding=UTF8",
            f"--locale={LOCALE}",
            "--no-sync",
        )
        if done.returncode:
            pytest.fail(f"initdb failed:\n{done.stdout}\n{done.stderr}", pytrace=False)

    def start(self) -> None:
        problems = []
        for _ in range(START_ATTEMPTS):
            self.port = _free_port()
            options = " ".join(
                [
                    f"-p {self.port}",
                    "-c listen_addresses=127.0.0.1",
                    f"-c unix_socket_directories='{self.root}'",
                    f"-c timezone={SERVER_TIMEZONE}",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=200",
                ]
            )
            done = self.run(
                "pg_ctl", "start", "--wait", "--timeout=60", "-D", str(self.datadir),
                "-l", str(self.logfile), "-o", options,
            )  # fmt: skip
            if done.returncode == 0:
                return
            log = self.logfile.read_text(errors="replace") if self.logfile.exists() else ""
            problems.append(f"port {self.port}: {done.stdout}{done.stderr}{log[-2000:]}")
        pytest.fail("PostgreSQL did not start:\n" + "\n".join(problems), pytrace=False)

    def stop(self) -> None:
        self.run("pg_ctl", "stop", "--wait", "-m", "immediate", "-D", str(self.datadir))


@contextlib.contextmanager
def running_server(bindir: Path) -> Iterator[NoopExecutor]:
    """A new PostgreSQL server (trust authentication, no password), removed on exit."""
    cluster = Cluster(bindir, Path(tempfile.mkdtemp(prefix="segmint-pg-")), server_os_user())
    try:
        cluster.init()
        cluster.start()
        server = NoopExecutor(
            host="127.0.0.1", port=cluster.port, user=PG_USER, options="", dbname="segmint"
        )
        # pytest-postgresql's fixtures built on this server clone their databases from this.
        DatabaseJanitor(
            user=PG_USER,
            host=server.host,
            port=server.port,
            dbname=server.template_dbname,
            as_template=True,
        ).init()
        yield server
    finally:
        if cluster.datadir.exists():
            cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)


# --- databases ---------------------------------------------------------------------------


def sqlalchemy_url(server: NoopExecutor, dbname: str) -> str:
    return f"postgresql+psycopg://{server.user}@{server.host}:{server.port}/{dbname}"


_numbers = itertools.count(1)


@contextlib.contextmanager
def new_database(
    server: NoopExecutor, prefix: str = "segmint", *, drop: bool = True
) -> Iterator[str]:
    """A new empty database on `server` (its SQLAlchemy URL), dropped on exit.

    `drop=False` for databases that live as long as the server (dropping one forces a
    checkpoint: slow, and the server's files are removed anyway).
    """
    janitor = DatabaseJanitor(
        user=server.user,
        host=server.host,
        port=server.port,
        dbname=f"{prefix}_{next(_numbers)}",
        password=server.password,
    )
    janitor.init()
    try:
        yield sqlalchemy_url(server, janitor.dbname)
    finally:
        if drop:
            janitor.drop()  # ends the connections still open first


def empty_tables(url: str, metadata: MetaData) -> str:
    """Remove every row of the tables of `metadata`, restarting their id sequences."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            # A connection a previous test left open would hold locks TRUNCATE waits for.
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            quote = engine.dialect.identifier_preparer.quote
            names = ", ".join(quote(table.name) for table in metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()
    return url

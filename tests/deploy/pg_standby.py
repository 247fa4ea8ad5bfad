"""A real PostgreSQL hot standby of the test server, made for a test and removed after.

`pg_basebackup -R` copies the running primary into a temp folder and writes the standby's
connection to it; the copy starts on a free port as its own cluster (Debian's `pg_ctl`, as the
`postgres` user) and streams the primary's changes from then on. The primary must accept
replication connections from 127.0.0.1 (`.ci/run` adds that line to `pg_hba.conf`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg2

PG_BIN_ROOT = Path("/usr/lib/postgresql")


@dataclass
class Standby:
    folder: Path
    port: int
    pg_ctl: Path
    primary: Mapping[str, Any]

    def connect(self, dbname: str) -> Any:
        conn = psycopg2.connect(
            dbname=dbname, user=self.primary["USER"] or "postgres", host="127.0.0.1", port=self.port
        )
        conn.autocommit = True
        return conn

    def url(self, dbname: str) -> str:
        return f"postgres://{self.primary['USER'] or 'postgres'}@127.0.0.1:{self.port}/{dbname}"

    def ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return as_postgres([str(self.pg_ctl), "-D", str(self.folder / "data"), *args])

    def stop(self) -> None:
        self.ctl("stop", "-m", "immediate", "-w")

    def start(self) -> None:
        result = self.ctl("start", "-w", "-t", "120", "-l", str(self.folder / "log"))
        if result.returncode != 0:
            raise RuntimeError(f"the standby did not start: {result.stderr}\n{self.log()}")

    def log(self) -> str:
        path = self.folder / "log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def why_not_possible() -> str | None:
    """Why no standby can be made here, or None when it can."""
    if not shutil.which("pg_basebackup"):
        return "pg_basebackup is not installed"
    if not pg_ctl_path():
        return f"no pg_ctl under {PG_BIN_ROOT}"
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != "postgres":
        return "making a PostgreSQL cluster needs root (to act as the postgres user) or the postgres user"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "there is no postgres user"
    return None


def pg_ctl_path() -> Path | None:
    found = sorted(PG_BIN_ROOT.glob("*/bin/pg_ctl"))
    return found[-1] if found else None


def as_postgres(command: list[str]) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


# A hot standby refuses to start with any of these lower than on its primary.
PRIMARY_LIMITS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


def primary_limits(primary: Mapping[str, Any]) -> str:
    conn = psycopg2.connect(
        dbname="postgres",
        user=primary["USER"] or "postgres",
        host=primary["HOST"] or "127.0.0.1",
        port=primary["PORT"] or 5432,
    )
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(PRIMARY_LIMITS)]
            )
            return "".join(f"{name} = {setting}\n" for name, setting in cursor.fetchall())
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def hot_standby(primary: Mapping[str, Any]) -> Iterator[Standby]:
    """A hot standby of the primary whose Django settings are `primary`, running until the block ends."""
    pg_ctl = pg_ctl_path()
    assert pg_ctl is not None
    folder = Path(tempfile.mkdtemp(prefix="qa-standby-"))
    postgres = pwd.getpwnam("postgres")
    os.chown(folder, postgres.pw_uid, postgres.pw_gid)
    folder.chmod(0o700)
    standby = Standby(folder, free_port(), pg_ctl, primary)
    try:
        copied = as_postgres(
            [
                "pg_basebackup",
                "-h",
                primary["HOST"] or "127.0.0.1",
                "-p",
                str(primary["PORT"] or 5432),
                "-U",
                primary["USER"] or "postgres",
                "-D",
                str(folder / "data"),
                "-R",  # write the standby's primary_conninfo and standby.signal
                "-X",
                "stream",
                "-c",
                "fast",
            ]
        )
        if copied.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed: {copied.stderr.strip()}")
        data = folder / "data"
        # Debian keeps a cluster's configuration in /etc: the copy gets a minimal one of its own,
        # with the settings a standby may not have lower than its primary's.
        (data / "postgresql.conf").write_text(
            f"port = {standby.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n"
            "hot_standby = on\nshared_buffers = 32MB\nhot_standby_feedback = on\n"
            "max_standby_streaming_delay = 5s\n" + primary_limits(primary)
        )
        (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        (data / "pg_ident.conf").write_text("")
        for path in (data / "postgresql.conf", data / "pg_hba.conf", data / "pg_ident.conf"):
            os.chown(path, postgres.pw_uid, postgres.pw_gid)
        standby.start()
        yield standby
    finally:
        if (folder / "data" / "postmaster.pid").exists():
            standby.stop()
        shutil.rmtree(folder, ignore_errors=True)


def wait_until(condition: Any, timeout: float = 30.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except psycopg2.Error:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")

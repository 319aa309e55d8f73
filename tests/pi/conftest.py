"""A real mosquitto with a password file, started on a free port for this test session."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    username: str
    password: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_password_file(path: Path, username: str, password: str) -> None:
    """mosquitto_passwd when installed; else the same PBKDF2-SHA512 line ($7$) by hand."""
    tool = shutil.which("mosquitto_passwd")
    if tool:
        subprocess.run([tool, "-b", "-c", str(path), username, password], check=True,
                       capture_output=True)
        return
    import base64
    import hashlib

    salt, rounds = os.urandom(12), 101
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, rounds)
    path.write_text(f"{username}:$7${rounds}${base64.b64encode(salt).decode()}$"
                    f"{base64.b64encode(digest).decode()}\n")


def wait_until_listening(port: int, process: subprocess.Popen, log: Path,
                         timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mosquitto exited with {process.returncode}: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)  # polling for the listener, not timing a result
    raise RuntimeError("mosquitto did not start listening")


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    folder = tmp_path_factory.mktemp("mosquitto")
    port = free_port()
    write_password_file(folder / "passwd", "crib-1", "right-password")
    (folder / "passwd").chmod(0o600)
    conf = folder / "mosquitto.conf"
    # `user`: mosquitto started as root would drop to "mosquitto" and lose the temp folder.
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous false\n"
                    f"password_file {folder / 'passwd'}\npersistence false\n"
                    f"user {pwd.getpwuid(os.getuid()).pw_name}\n")
    log = folder / "mosquitto.log"
    with open(log, "wb") as log_handle:
        process = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=log_handle,
                                   stderr=subprocess.STDOUT)
    try:
        wait_until_listening(port, process, log)
        yield Broker("127.0.0.1", port, "crib-1", "right-password")
    finally:
        process.terminate()
        process.wait(timeout=10)

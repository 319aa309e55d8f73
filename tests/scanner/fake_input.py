"""A fake input node and backend for the reader's fault tests.

The node's fd is a real pipe, so the reader is driven by the real asyncio
selector: pushing events makes the fd readable, exactly as a kernel node does.
"""

from __future__ import annotations

import errno
import os
from collections import deque

from drivers.evdev_scanner import NodeInfo
from drivers.keycodes import DIGIT_KEYS, ENTER_KEYS, LETTER_KEYS

KEYBOARD = set(LETTER_KEYS | DIGIT_KEYS | ENTER_KEYS) | {42, 54, 56, 57, 100}


class FakeNode:
    """Implements drivers.evdev_scanner.InputNode."""

    def __init__(self, keys: set[int] | None = None, grab_errno: int | None = None) -> None:
        self._new_pipe()
        self.key_caps = KEYBOARD if keys is None else keys
        self.grab_errno = grab_errno
        self.pending: deque[tuple[int, int, int]] = deque()
        self.error: OSError | None = None
        self.grabbed = self.closed = False
        self.reads = 0
        self.held: list[int] = []

    def _new_pipe(self) -> None:
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._read_fd, False)
        self.closed = False

    def reopen(self) -> None:
        """Opening the node again gives a fresh fd, as the kernel does."""
        if self.closed:
            self._new_pipe()

    def push(self, events: list[tuple[int, int, int]]) -> None:
        self.pending.extend(events)
        os.write(self._write_fd, b"!")

    def unplug(self, code: int = errno.ENODEV) -> None:
        self.error = OSError(code, os.strerror(code))
        os.write(self._write_fd, b"!")

    def fileno(self) -> int:
        return self._read_fd

    def keys(self) -> set[int]:
        return set(self.key_caps)

    def grab(self) -> None:
        if self.grab_errno is not None:
            raise OSError(self.grab_errno, os.strerror(self.grab_errno))
        self.grabbed = True

    def read_batch(self) -> list[tuple[int, int, int]]:
        self.reads += 1
        if self.pending:
            batch = list(self.pending)
            self.pending.clear()
            if self.error is None:
                self._drain()
            return batch
        if self.error is not None:
            raise self.error
        self._drain()
        raise BlockingIOError(errno.EAGAIN, "no events")

    def active_keys(self) -> list[int]:
        return list(self.held)

    def close(self) -> None:
        if not self.closed:
            os.close(self._read_fd)
            os.close(self._write_fd)
            self.closed = True

    def _drain(self) -> None:
        try:
            while os.read(self._read_fd, 4096):
                pass
        except BlockingIOError:
            pass


class FakeBackend:
    """Implements drivers.evdev_scanner.Backend over a dictionary 'dev tree'."""

    def __init__(self) -> None:
        self.links: dict[str, str] = {}
        self.infos: dict[str, NodeInfo] = {}
        self.devices: dict[str, FakeNode] = {}
        self.open_errors: dict[str, OSError] = {}
        self.opened: list[str] = []

    def plug(self, path: str, node: FakeNode, vendor: int = 0x5E0, product: int = 0x1200,
             link: str | None = None, name: str = "Scanner", uniq: str = "") -> FakeNode:
        self.infos[path] = NodeInfo(path, name, vendor, product, uniq)
        self.devices[path] = node
        if link:
            self.links[link] = path
        return node

    def unplug(self, path: str) -> None:
        self.infos.pop(path, None)
        self.devices.pop(path, None)
        self.links = {k: v for k, v in self.links.items() if v != path}

    def resolve(self, link: str) -> str | None:
        return self.links.get(link)

    def nodes(self) -> list[NodeInfo]:
        return list(self.infos.values())

    def info(self, path: str) -> NodeInfo | None:
        return self.infos.get(path)

    def open(self, path: str) -> FakeNode:
        self.opened.append(path)
        if path in self.open_errors:
            raise self.open_errors[path]
        if path not in self.devices:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        node = self.devices[path]
        node.reopen()
        return node

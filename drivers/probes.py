"""Minimal, side-effect-free probes of the kiosk's devices and broker, for `kiosk doctor`.

Each probe takes primitives (paths, host/port, credentials), touches the real
thing briefly, releases it, and returns a `Probe`: ok, a sentence saying what
was found, and the protocol code where there is one. None of them raise for an
expected failure (missing device, refused connection); they report it.
"""

from __future__ import annotations

import errno
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

USB_SYSFS = Path("/sys/bus/usb/devices")
# DLE EOT 4: "transmit roll paper sensor status" (ESC/POS real-time command).
PAPER_STATUS_REQUEST = b"\x10\x04\x04"
PAPER_NEAR_END_BITS = 0x0C
PAPER_END_BITS = 0x60


@dataclass(frozen=True)
class Probe:
    ok: bool
    detail: str
    code: int | None = None
    busy: bool = False


def tcp_reachable(host: str, port: int, timeout_s: float) -> Probe:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return Probe(True, f"{host}:{port} accepts connections")
    except OSError as exc:
        return Probe(False, f"cannot reach {host}:{port}: {exc.strerror or exc}")


def network_paper_status(host: str, port: int, timeout_s: float) -> Probe:
    """Ask an ESC/POS network printer for its roll paper sensor (DLE EOT 4)."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as conn:
            conn.sendall(PAPER_STATUS_REQUEST)
            reply = conn.recv(1)
    except TimeoutError:
        return Probe(True, "printer does not report paper status (no reply to DLE EOT 4)")
    except OSError as exc:
        return Probe(False, f"cannot reach {host}:{port}: {exc.strerror or exc}")
    if not reply:
        return Probe(True, "printer closed the connection without a paper status")
    status = reply[0]
    if status & PAPER_END_BITS:
        return Probe(False, "printer reports paper out", code=status)
    if status & PAPER_NEAR_END_BITS:
        return Probe(True, "printer reports paper nearly out", code=status)
    return Probe(True, "printer reports paper present", code=status)


def usb_device_present(vendor: str, product: str, sysfs: Path = USB_SYSFS) -> Probe:
    """Is a USB device with this vendor:product (hex) plugged in? Reads sysfs only."""
    wanted = (vendor.lower().removeprefix("0x").zfill(4), product.lower().removeprefix(
        "0x").zfill(4))
    for device in sorted(sysfs.glob("*")) if sysfs.is_dir() else []:
        try:
            found = ((device / "idVendor").read_text().strip(),
                     (device / "idProduct").read_text().strip())
        except OSError:
            continue
        if found == wanted:
            return Probe(True, f"USB device {vendor}:{product} found at {device.name}")
    return Probe(False, f"no USB device {vendor}:{product} is plugged in")


def input_device_grabbable(path: str) -> Probe:
    """Open the event device and take (then release) an exclusive grab, as the kiosk will."""
    try:
        import evdev
    except ImportError:
        return Probe(False, "python evdev is not installed (pip install evdev-binary)")
    try:
        device = evdev.InputDevice(path)
    except FileNotFoundError:
        return Probe(False, f"{path} does not exist: scanner unplugged or wrong path")
    except PermissionError:
        return Probe(False, f"no permission to open {path}: udev rule or group missing")
    except OSError as exc:
        return Probe(False, f"{path} is not an input device: {exc.strerror or exc}")
    try:
        device.grab()
        device.ungrab()
        return Probe(True, f"{path} ({device.name}) opened and grabbed")
    except OSError as exc:
        if exc.errno == errno.EBUSY:
            return Probe(False, f"{path} is grabbed by another program", busy=True)
        return Probe(False, f"cannot grab {path}: {exc.strerror or exc}")
    finally:
        device.close()


def find_input_by_usb(vendor: str, product: str, serial: str = "") -> list[str]:
    """Event nodes of keyboard-like input devices with this USB vendor:product (udev db)."""
    try:
        import pyudev
    except ImportError:
        return []
    found = []
    for device in pyudev.Context().list_devices(subsystem="input"):
        props = device.properties
        node = device.device_node or ""
        if not node.startswith("/dev/input/event"):
            continue
        if (props.get("ID_VENDOR_ID", "").lower(), props.get("ID_MODEL_ID", "").lower()) != (
                vendor.lower(), product.lower()):
            continue
        if serial and props.get("ID_SERIAL_SHORT", "") != serial:
            continue
        found.append(node)
    return sorted(found)


def pin_factory_works(name: str) -> Probe:
    """Create and close the gpiozero pin factory by name ("lgpio" or "mock")."""
    try:
        if name == "mock":
            from gpiozero.pins.mock import MockFactory
            factory = MockFactory()
        else:
            from gpiozero.pins.lgpio import LGPIOFactory
            factory = LGPIOFactory()
    except ImportError as exc:
        return Probe(False, f"pin factory {name!r} cannot load: {exc}")
    except Exception as exc:  # gpiozero raises several types for "no GPIO chip here"
        return Probe(False, f"pin factory {name!r} failed: {exc}")
    factory.close()
    return Probe(True, f"pin factory {name!r} works")


def mqtt_connack(host: str, port: int, *, username: str = "", password: str = "",
                 protocol: str = "5", tls: bool = False, ca_file: str = "",
                 cert_file: str = "", key_file: str = "", timeout_s: float = 3.0) -> Probe:
    """Connect once and report the broker's CONNACK reason code, then disconnect."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    version = mqtt.MQTTv5 if protocol == "5" else mqtt.MQTTv311
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="", protocol=version)
    if username:
        client.username_pw_set(username, password or None)
    if tls:
        client.tls_set(ca_certs=ca_file or None, certfile=cert_file or None,
                       keyfile=key_file or None)
    answered = threading.Event()
    outcome: dict[str, object] = {}

    def on_connect(_client, _userdata, _flags, reason_code, _properties) -> None:
        outcome["code"] = reason_code
        answered.set()

    client.on_connect = on_connect
    try:
        client.connect(host, port, keepalive=10)
    except (OSError, ValueError) as exc:
        return Probe(False, f"cannot reach the broker {host}:{port}: {exc}")
    client.loop_start()
    try:
        if not answered.wait(timeout_s):
            return Probe(False, f"broker {host}:{port} did not answer within {timeout_s:g} s")
    finally:
        client.disconnect()
        client.loop_stop()
    code = outcome["code"]
    if code.is_failure:
        return Probe(False, f"broker refused the connection: {code} (CONNACK reason "
                     f"{code.value})", code=code.value)
    return Probe(True, f"connected to {host}:{port} as {username or 'anonymous'}",
                 code=code.value)

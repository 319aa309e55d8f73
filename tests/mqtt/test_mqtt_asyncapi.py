"""Every payload seen on the real broker matches the AsyncAPI document's JSON Schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from kiosk.hq import command
from kiosk.link import mqtt_client, mqtt_options, outbox_publisher
from kiosk.link_status import encode
from kiosk.store import Identity, Store
from tests.mqtt.conftest import kiosk_settings
from tests.mqtt.helpers import checkout, seed, wait_until

DOC = yaml.safe_load((Path(__file__).parents[2] / "docs" / "asyncapi.yaml").read_text())
KIND_SCHEMA = {"blocked-badges": "BlockedBadgesCommand", "resend": "ResendCommand"}


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                                            "components": DOC["components"]})


def schema_for(topic: str) -> str:
    if "/events/" in topic:
        return "Event"
    if topic.endswith("/status"):
        return "Status"
    if topic.endswith("/reply"):
        return "Reply"
    kind = topic.rsplit("/", 1)[-1]
    return KIND_SCHEMA.get(kind, "MasterDataCommand")


def test_document_is_asyncapi_3_with_a_channel_per_topic():
    assert DOC["asyncapi"].startswith("3.")
    addresses = {c["address"] for c in DOC["channels"].values()}
    assert "{prefix}/{site}/{kiosk}/events/{type}" in addresses
    assert "{prefix}/{site}/{kiosk}/status" in addresses
    for name in DOC["components"]["schemas"]:
        jsonschema.Draft202012Validator.check_schema(DOC["components"]["schemas"][name])


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
def test_every_published_payload_matches_its_schema(tmp_path, broker, watch, protocol):
    store = Store(tmp_path / "kiosk.db", Identity("HAM", "crib-1"))
    seed(store, 5)
    settings = kiosk_settings(tmp_path, broker.port, protocol=protocol)
    everything = watch(["crib/#"], protocol=protocol)
    publisher = outbox_publisher(settings, store)
    publisher.start()
    everything.wait_for(lambda m: m.topic.endswith("/status")
                        and json.loads(m.payload)["state"] == "online")
    hq = mqtt_client(mqtt_options(settings, client_id="hq-admin"))
    hq.start()
    assert hq.wait_connected(10)
    sent = [command("people", items=[{"employee_no": "E500", "name": "Ada", "version": 1}]),
            command("blocked-badges", version=1, badges=["42"]),
            command("resend", from_seq=1, to_seq=2)]
    try:
        for n in range(3):
            checkout(store, f"HAM-DR-{n:05}", "E001")
        everything.wait_for(lambda m: m.topic.endswith("/events/loan.checked_out")
                            and json.loads(m.payload)["seq"] == 3)
        for body, kind in zip(sent, ("people", "blocked-badges", "resend"), strict=True):
            hq.publish(f"crib/HAM/crib-1/cmd/{kind}", encode(body))
            everything.wait_for(lambda m, b=body: m.topic.endswith("/reply")
                                and json.loads(m.payload)["command"] == b["id"])
        hq.publish("crib/HAM/crib-1/cmd/people", b"\xff not json")
        everything.wait_for(lambda m: m.topic.endswith("/reply")
                            and json.loads(m.payload)["command"] is None)
        wait_until(lambda: publisher.delivered >= 7, what="events incl. master data + resends")
    finally:
        publisher.stop()
        hq.stop()
    everything.wait_for(lambda m: m.topic.endswith("/status")
                        and json.loads(m.payload)["state"] == "offline")
    topics = set()
    for message in everything.messages:
        if not message.payload or message.payload.startswith(b"\xff"):
            continue  # a cleared retained message; the deliberately malformed command
        name = schema_for(message.topic)
        topics.add(name)
        errors = [e.message for e in validator(name).iter_errors(json.loads(message.payload))]
        assert errors == [], (message.topic, message.payload)
    assert topics == {"Event", "Status", "Reply", "MasterDataCommand", "BlockedBadgesCommand",
                      "ResendCommand"}

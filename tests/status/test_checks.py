"""POST /internal/check against real local targets and webhook receivers: transitions, incidents,
notifications (one per webhook and transition, retried, never duplicated)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from spotifiuby.models import StatusCheck, StatusIncident, StatusNotification
from tests.status.servers import Receiver, Target


def client_for(make_client, targets: dict[str, Target], webhooks: list[str] = (), **env: str):
    return make_client(
        "status",
        STATUS_TARGETS=",".join(f"{name}={server.url('/ready')}" for name, server in targets.items()),
        STATUS_WEBHOOKS=",".join(webhooks),
        STATUS_TIMEOUT=env.pop("STATUS_TIMEOUT", "2"),
        STATUS_WEBHOOK_BACKOFF=env.pop("STATUS_WEBHOOK_BACKOFF", "0.01"),
        **env,
    )


def check(client) -> dict:
    response = client.post("/internal/check", json={})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def states(client) -> dict[str, str]:
    response = client.get("/status")
    assert response.status_code == 200
    return {t["name"]: t["state"] for t in response.get_json()["targets"]}


def notifications(db) -> list[StatusNotification]:
    with db.session() as session:
        return list(session.scalars(select(StatusNotification).order_by(StatusNotification.id)))


def test_down_after_n_failures_then_up_notified_once_per_webhook(
    make_client, db, target: Target, flaky: Target, receiver: Receiver
):
    plain, discord = receiver.url("/hook"), receiver.url("/discord/hook")
    client = client_for(make_client, {"api": target, "flaky": flaky}, [plain, discord])
    summary = check(client)
    assert {c["target"]: c["ok"] for c in summary["checked"]} == {"api": True, "flaky": True}
    assert states(client) == {"api": "up", "flaky": "up"}

    flaky.status = 500
    for _ in range(2):  # N - 1 failures: still up, nothing posted
        summary = check(client)
        assert summary["transitions"] == []
        assert states(client)["flaky"] == "up"
    assert receiver.attempts == []

    summary = check(client)  # the Nth failure
    assert [(t["target"], t["state"]) for t in summary["transitions"]] == [("flaky", "down")]
    assert states(client) == {"api": "up", "flaky": "down"}
    [down] = receiver.bodies("/hook")
    assert down["target"] == "flaky" and down["state"] == "down" and down["since"]
    [down_discord] = receiver.bodies("/discord/hook")
    assert set(down_discord) == {"content"} and "flaky" in down_discord["content"]
    assert "down" in down_discord["content"]

    flaky.stop()  # unreachable now: still down, nothing more posted
    for _ in range(2):
        summary = check(client)
        assert summary["transitions"] == []
        flaky_check = next(c for c in summary["checked"] if c["target"] == "flaky")
        assert flaky_check["ok"] is False and flaky_check["status_code"] is None and flaky_check["error"]
    assert len(receiver.attempts) == 2
    assert states(client)["flaky"] == "down"

    flaky.status = 200
    flaky.start()  # back on the same port
    summary = check(client)
    assert [(t["target"], t["state"]) for t in summary["transitions"]] == [("flaky", "up")]
    check(client)
    assert states(client) == {"api": "up", "flaky": "up"}
    assert [b["state"] for b in receiver.bodies("/hook")] == ["down", "up"]
    assert len(receiver.bodies("/discord/hook")) == 2
    assert "up" in receiver.bodies("/discord/hook")[1]["content"]
    assert len(receiver.attempts) == 4  # every post accepted at once

    rows = notifications(db)
    assert len(rows) == 4
    assert all(r.delivered_at is not None and r.attempts == 1 and r.lease_until is None for r in rows)
    with db.session() as session:
        [incident] = session.scalars(select(StatusIncident))
        assert incident.target == "flaky" and incident.ended_at is not None
        assert incident.ended_at > incident.started_at
        assert session.scalar(select(func.count()).select_from(StatusCheck)) == 16

    report = {t["name"]: t for t in client.get("/status").get_json()["targets"]}
    # flaky: ok, 500, 500, 500, refused, refused, ok, ok
    assert report["flaky"]["uptime"] == {"24h": 37.5, "7d": 37.5, "30d": 37.5}
    assert report["api"]["uptime"] == {"24h": 100.0, "7d": 100.0, "30d": 100.0}
    [flaky_incident] = report["flaky"]["incidents"]
    assert flaky_incident["ongoing"] is False and flaky_incident["duration_s"] > 0


def test_a_failed_delivery_is_retried_and_delivered_once(make_client, db, flaky: Target):
    receiver = Receiver(fail_first=1).start()
    try:
        client = client_for(
            make_client, {"flaky": flaky}, [receiver.url("/hook")], STATUS_FAILURES_TO_DOWN="1"
        )
        flaky.status = 503
        summary = check(client)
        assert summary["notifications"] == {"delivered": 1, "failed": 0}
        assert len(receiver.attempts) == 2
        assert [b["state"] for b in receiver.bodies("/hook")] == ["down"]
        check(client)  # still down: nothing new, nothing re-sent
        assert len(receiver.attempts) == 2
        [row] = notifications(db)
        assert row.attempts == 2 and row.delivered_at is not None and row.last_error == ""
    finally:
        receiver.stop()


def test_an_undelivered_notification_is_retried_on_the_next_check(make_client, db, flaky: Target):
    receiver = Receiver(fail_first=3).start()
    try:
        client = client_for(
            make_client,
            {"flaky": flaky},
            [receiver.url("/hook")],
            STATUS_FAILURES_TO_DOWN="1",
            STATUS_WEBHOOK_ATTEMPTS="2",
        )
        flaky.status = 500
        summary = check(client)
        assert summary["notifications"] == {"delivered": 0, "failed": 1}
        [row] = notifications(db)
        assert row.delivered_at is None and row.attempts == 2 and row.last_error == "HTTP 500"
        assert receiver.accepted == []

        summary = check(client)  # no new transition; the pending one goes out (3rd refused, 4th taken)
        assert summary["transitions"] == []
        assert summary["notifications"] == {"delivered": 1, "failed": 0}
        assert len(receiver.accepted) == 1 and len(receiver.attempts) == 4
        check(client)
        assert len(receiver.attempts) == 4
        [row] = notifications(db)
        assert row.delivered_at is not None and row.attempts == 4
    finally:
        receiver.stop()


def test_concurrent_checks_open_one_incident_and_notify_once(
    make_client, db, flaky: Target, receiver: Receiver
):
    client = client_for(
        make_client, {"flaky": flaky}, [receiver.url("/a"), receiver.url("/b")], STATUS_FAILURES_TO_DOWN="1"
    )
    flaky.status = 500
    statuses: list[int] = []

    def run() -> None:
        statuses.append(client.post("/internal/check", json={}).status_code)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [200] * 6
    check(client)  # delivers whatever a racing worker left leased
    assert len(receiver.bodies("/a")) == 1 and len(receiver.bodies("/b")) == 1
    assert len(receiver.attempts) == 2
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(StatusIncident)) == 1
    assert len(notifications(db)) == 2


def test_no_webhooks_still_tracks_state(make_client, db, flaky: Target):
    client = client_for(make_client, {"flaky": flaky}, STATUS_FAILURES_TO_DOWN="2")
    flaky.status = 500
    check(client)
    summary = check(client)
    assert summary["transitions"][0]["state"] == "down"
    assert summary["notifications"] == {"delivered": 0, "failed": 0}
    assert notifications(db) == []


def test_accepts_a_cloudevent_and_honours_the_internal_token(make_client, db, target: Target):
    client = client_for(make_client, {"api": target}, INTERNAL_TOKEN="s3cret-token")
    event_headers = {
        "ce-specversion": "1.0",
        "ce-type": "dev.knative.sources.ping",
        "ce-source": "/apis/v1/namespaces/default/pingsources/status",
        "ce-id": "1",
    }
    assert client.post("/internal/check", json={"ping": 1}, headers=event_headers).status_code == 401
    wrong = {**event_headers, "X-Internal-Token": "nope"}
    assert client.post("/internal/check", json={}, headers=wrong).status_code == 401
    assert target.hits == 0
    good = {**event_headers, "X-Internal-Token": "s3cret-token"}
    response = client.post(
        "/internal/check", data=b"not json at all", headers={**good, "Content-Type": "text/plain"}
    )
    assert response.status_code == 200
    structured = client.post(
        "/internal/check",
        data=b'{"specversion":"1.0","type":"ping","source":"/x","id":"2","data":{}}',
        headers={"X-Internal-Token": "s3cret-token", "Content-Type": "application/cloudevents+json"},
    )
    assert structured.status_code == 200
    assert target.hits == 2
    # the reports stay public
    assert client.get("/status").status_code == 200
    assert client.get("/status/page").status_code == 200

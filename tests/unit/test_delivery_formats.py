"""Webhook payload shapes per target kind, signatures, and the retry policy."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote_plus, urlsplit

from monitors.delivery.formats import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TargetKind,
    email_message,
    http_delivery,
    robot_error,
)
from monitors.delivery.outbox import Envelope, RetryPolicy

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ENVELOPE = Envelope(
    idempotency_key="alert:a1:CRISIS",
    event_type="alert.raised",
    title="[CRISIS] SPIKE: 车险",
    lines=("**[CRISIS] SPIKE: 车险**", "reason: negative coverage above its baseline"),
    data={"alert": {"id": "a1", "severity": "CRISIS"}},
)


SECRET = "s3cret"


def _target(
    kind: TargetKind, secret: str | None = SECRET, url: str = "https://hooks.test/x"
) -> dict[str, str | None]:
    return {"id": "t1", "kind": kind.value, "url": url, "secret": secret}


def test_generic_json_is_hmac_signed_with_idempotency_key() -> None:
    request = http_delivery(_target(TargetKind.GENERIC), ENVELOPE, NOW)
    expected = hmac.new(b"s3cret", request.body, hashlib.sha256).hexdigest()
    assert request.headers[SIGNATURE_HEADER] == f"sha256={expected}"
    assert request.headers[IDEMPOTENCY_HEADER] == "alert:a1:CRISIS"
    body = json.loads(request.body)
    assert body["idempotency_key"] == "alert:a1:CRISIS"
    assert body["data"]["alert"]["severity"] == "CRISIS"


def test_wecom_markdown_shape() -> None:
    body = json.loads(http_delivery(_target(TargetKind.WECOM, None), ENVELOPE, NOW).body)
    assert body["msgtype"] == "markdown"
    assert "车险" in body["markdown"]["content"]


def test_dingtalk_markdown_with_signed_url() -> None:
    request = http_delivery(_target(TargetKind.DINGTALK), ENVELOPE, NOW)
    body = json.loads(request.body)
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == ENVELOPE.title
    query = parse_qs(urlsplit(request.url).query)
    timestamp = query["timestamp"][0]
    assert timestamp == str(int(NOW.timestamp() * 1000))
    digest = hmac.new(b"s3cret", f"{timestamp}\ns3cret".encode(), hashlib.sha256).digest()
    assert unquote_plus(request.url.split("sign=")[1]) == base64.b64encode(digest).decode()


def test_feishu_interactive_card_with_signature() -> None:
    body = json.loads(http_delivery(_target(TargetKind.FEISHU), ENVELOPE, NOW).body)
    assert body["msg_type"] == "interactive"
    assert body["card"]["header"]["title"]["content"] == ENVELOPE.title
    key = f"{body['timestamp']}\ns3cret".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def test_robot_errors_are_read_from_200_answers() -> None:
    assert robot_error(TargetKind.WECOM, {"errcode": 0, "errmsg": "ok"}) is None
    assert robot_error(TargetKind.DINGTALK, {"errcode": 310000, "errmsg": "sign not match"})
    assert robot_error(TargetKind.FEISHU, {"code": 19021, "msg": "sign match fail"})
    assert robot_error(TargetKind.GENERIC, "anything") is None


def test_email_carries_the_idempotency_key() -> None:
    message = email_message(
        _target(TargetKind.EMAIL, None, "mailto:pr@insurer.test,ops@insurer.test"),
        ENVELOPE,
        "riskwatch@insurer.test",
    )
    assert message["To"] == "pr@insurer.test, ops@insurer.test"
    assert message[IDEMPOTENCY_HEADER] == "alert:a1:CRISIS"


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    policy = RetryPolicy(base=timedelta(seconds=2), cap=timedelta(seconds=60), max_attempts=5)
    rng = random.Random(3)
    delays = [policy.delay(n, rng).total_seconds() for n in range(1, 9)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(60.0, 2.0 * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= 60
    assert not policy.gives_up(4)
    assert policy.gives_up(5)

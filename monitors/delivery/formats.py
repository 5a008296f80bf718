"""Per-target message formats: generic signed JSON, WeCom, DingTalk, Feishu, and e-mail.

Pure builders (the request to send, given the target, the envelope and the time) plus the
check of each robot's answer, which says "error" in a 200 response body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from enum import StrEnum
from typing import Any
from urllib.parse import quote_plus

from monitors.delivery.outbox import Envelope

SIGNATURE_HEADER = "X-Riskwatch-Signature"
IDEMPOTENCY_HEADER = "X-Riskwatch-Idempotency-Key"


class TargetKind(StrEnum):
    """Where a delivery goes and in which format."""

    GENERIC = "GENERIC"
    WECOM = "WECOM"
    DINGTALK = "DINGTALK"
    FEISHU = "FEISHU"
    EMAIL = "EMAIL"


@dataclass(frozen=True)
class HttpDelivery:
    """One HTTP POST to make."""

    url: str
    headers: Mapping[str, str]
    body: bytes


def body_signature(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the body>``, what receivers of GENERIC webhooks verify."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """A DingTalk robot URL with its ``timestamp`` and ``sign`` (HMAC-SHA256, base64, quoted)."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode("ascii"))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={sign}"


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """A Feishu custom-bot signature: base64 of HMAC-SHA256 keyed by ``timestamp\\nsecret``."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def _markdown(envelope: Envelope) -> str:
    return "\n".join(f"> {line}" if i else f"### {line}" for i, line in enumerate(envelope.lines))


def _payload(kind: TargetKind, envelope: Envelope) -> dict[str, Any]:
    if kind is TargetKind.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": _markdown(envelope)}}
    if kind is TargetKind.DINGTALK:
        return {
            "msgtype": "markdown",
            "markdown": {"title": envelope.title, "text": _markdown(envelope)},
        }
    if kind is TargetKind.FEISHU:
        return {
            "msg_type": "interactive",
            "card": {
                "header": {"title": {"tag": "plain_text", "content": envelope.title}},
                "elements": [{"tag": "markdown", "content": "\n".join(envelope.lines)}],
            },
        }
    return envelope.as_json()


def http_delivery(target: Mapping[str, Any], envelope: Envelope, now: datetime) -> HttpDelivery:
    """The POST that delivers ``envelope`` to a webhook target at ``now``."""
    kind = TargetKind(target["kind"])
    secret = target.get("secret") or ""
    url = str(target["url"])
    payload = _payload(kind, envelope)
    if kind is TargetKind.DINGTALK and secret:
        url = dingtalk_signed_url(url, secret, int(now.timestamp() * 1000))
    if kind is TargetKind.FEISHU and secret:
        timestamp = int(now.timestamp())
        payload = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **payload}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        IDEMPOTENCY_HEADER: envelope.idempotency_key,
    }
    if kind is TargetKind.GENERIC and secret:
        headers[SIGNATURE_HEADER] = body_signature(secret, body)
    return HttpDelivery(url, headers, body)


def robot_error(kind: TargetKind, answer: Any) -> str | None:
    """The error a robot reports in a 200 answer (``errcode``/``code`` not 0), else None."""
    if kind not in (TargetKind.WECOM, TargetKind.DINGTALK, TargetKind.FEISHU):
        return None
    if not isinstance(answer, Mapping):
        return "the robot's answer is not a JSON object"
    code = answer.get("code", answer.get("errcode", answer.get("StatusCode", 0)))
    if code in (0, None):
        return None
    message = answer.get("msg") or answer.get("errmsg") or answer.get("StatusMessage") or ""
    return f"robot error {code}: {message}"


# ---------------------------------------------------------------- e-mail


@dataclass(frozen=True)
class SmtpConfig:
    """How to reach the mail relay."""

    host: str
    port: int = 25
    sender: str = "riskwatch@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout_s: float = 10.0


def recipients(url: str) -> list[str]:
    """The addresses of an EMAIL target's ``mailto:a@x,b@y`` URL (or a bare list)."""
    addresses = url.removeprefix("mailto:")
    return [a.strip() for a in addresses.split(",") if a.strip()]


def email_message(target: Mapping[str, Any], envelope: Envelope, sender: str) -> EmailMessage:
    """The e-mail for an EMAIL target; the idempotency key rides in a header."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients(str(target["url"])))
    message["Subject"] = envelope.title
    message["Message-ID"] = make_msgid(domain="riskwatch")
    message[IDEMPOTENCY_HEADER] = envelope.idempotency_key
    message.set_content(
        "\n".join(envelope.lines)
        + "\n\n"
        + json.dumps(envelope.data, ensure_ascii=False, indent=2, default=str)
    )
    return message


def send_email(config: SmtpConfig, message: EmailMessage) -> None:
    """Send one message (blocking: call it off the event loop)."""
    with smtplib.SMTP(config.host, config.port, timeout=config.timeout_s) as smtp:
        if config.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if config.username:
            smtp.login(config.username, config.password or "")
        smtp.send_message(message)

"""The settings: grouped in code, read from the same RISKWATCH_* variables as before, and a
bad value stops startup with a message naming its variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from api.settings import (
    ENV_PREFIX,
    PROJECT_ROOT,
    CrisisSettings,
    Settings,
    load_settings,
    variable_name,
)
from models.errors import ConfigurationError
from models.renewal import RenewalAction

GOOD_SECRETS = {
    "RISKWATCH_NEO4J_PASSWORD": "test-password",
    "RISKWATCH_IDENTITY_SECRET": "0123456789abcdef0123",
    "RISKWATCH_METRICS_TOKEN": "",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A working folder without a ``.env`` and the secrets the service needs."""
    monkeypatch.chdir(tmp_path)
    for name, value in GOOD_SECRETS.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def _documented_variables() -> set[str]:
    text = "".join(
        (PROJECT_ROOT / name).read_text(encoding="utf-8")
        for name in ("README.md", "docs/operations.md")
    )
    rows = [line for line in text.splitlines() if line.startswith("| `RISKWATCH_")]
    names = set()
    for row in rows:
        first_cell = row.split("|")[1]
        names.update(re.findall(r"`(RISKWATCH_[A-Z0-9_]+)`", first_cell))
    return names


def _variables(model: type[BaseSettings]) -> dict[str, str]:
    """Every variable ``model`` reads (groups included), to the field's path."""
    found: dict[str, str] = {}
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseSettings):
            found.update({v: f"{name}.{path}" for v, path in _variables(kind).items()})
        else:
            found[variable_name(model, (name,))] = name
    return found


def test_every_variable_in_the_configuration_tables_is_a_setting() -> None:
    documented = _documented_variables()
    assert len(documented) > 60, "the README and operations tables were read"
    unknown = documented - set(_variables(Settings))
    assert not unknown, f"documented but read by no setting: {sorted(unknown)}"


def test_every_setting_is_in_a_configuration_table() -> None:
    undocumented = set(_variables(Settings)) - _documented_variables()
    assert not undocumented, f"read but in no table: {sorted(undocumented)}"


def test_grouped_settings_read_their_variables_unchanged(env: pytest.MonkeyPatch) -> None:
    env.setenv("RISKWATCH_CRISIS_WINDOW_MINUTES", "15")
    env.setenv("RISKWATCH_CRISIS_CRISIS_SIGMA", "12.5")
    env.setenv("RISKWATCH_ALERT_BROKER_INTERVAL_S", "0")  # outside the group's prefix
    env.setenv("RISKWATCH_EVENT_DISPATCH_INTERVAL_S", "2")
    env.setenv("RISKWATCH_DELIVERY_MAX_ATTEMPTS", "4")
    env.setenv("RISKWATCH_SMTP_HOST", "mail.example")
    env.setenv("RISKWATCH_SMTP_PASSWORD", "relay-secret")
    env.setenv("RISKWATCH_FEED_IDLE_S", "0.5")
    env.setenv("RISKWATCH_WATCHLIST_FRAUD_HOPS", "3")
    env.setenv("RISKWATCH_RENEWAL_ACTIONS", '{"FRAUD_CONFIRMED": "REVIEW"}')
    env.setenv("RISKWATCH_PORT", "8100")
    settings = load_settings()
    assert settings.crisis.window_minutes == 15
    assert settings.crisis.crisis_sigma == 12.5
    assert settings.crisis.alert_broker_interval_s == 0
    assert settings.crisis.event_dispatch_interval_s == 2
    assert settings.delivery.max_attempts == 4
    assert settings.smtp.host == "mail.example"
    assert settings.smtp.password.get_secret_value() == "relay-secret"
    assert settings.feeds.idle_s == 0.5
    assert settings.watchlist.fraud_hops == 3
    assert settings.renewal.actions == {"FRAUD_CONFIRMED": RenewalAction.REVIEW}
    assert settings.port == 8100


def test_a_group_reads_the_env_file_too(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.delenv("RISKWATCH_WATCHLIST_ENTRY_TTL_DAYS", raising=False)
    (tmp_path / ".env").write_text("RISKWATCH_WATCHLIST_ENTRY_TTL_DAYS=30\n", encoding="utf-8")
    assert load_settings().watchlist.entry_ttl_days == 30


def test_the_prefixed_name_of_an_aliased_field_is_not_read(env: pytest.MonkeyPatch) -> None:
    env.setenv("RISKWATCH_CRISIS_ALERT_BROKER_INTERVAL_S", "9")
    env.delenv("RISKWATCH_ALERT_BROKER_INTERVAL_S", raising=False)
    assert CrisisSettings().alert_broker_interval_s == 0.5


def test_a_whole_group_in_one_variable_is_not_read(env: pytest.MonkeyPatch) -> None:
    # Only a group's own variables set it; RISKWATCH_CRISIS as JSON would be a side door.
    env.setenv("RISKWATCH_CRISIS", '{"window_minutes": 5}')
    env.setenv("RISKWATCH_FEEDS", '{"write_chunk": 5}')
    env.delenv("RISKWATCH_CRISIS_WINDOW_MINUTES", raising=False)
    env.setenv("RISKWATCH_FEED_WRITE_CHUNK", "7")
    settings = load_settings()
    assert settings.crisis.window_minutes == CrisisSettings().window_minutes != 5
    assert settings.feeds.write_chunk == 7


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("RISKWATCH_PORT", "0"),
        ("RISKWATCH_MAX_QUERY_DEPTH", "deep"),
        ("RISKWATCH_CRISIS_MIN_STD", "0"),
        ("RISKWATCH_FEED_POLL_CONCURRENCY", "many"),
        ("RISKWATCH_WATCHLIST_FRAUD_HOPS", "9"),
        ("RISKWATCH_EVENT_DISPATCH_INTERVAL_S", "-1"),
        ("RISKWATCH_SMTP_PORT", "70000"),
        ("RISKWATCH_RENEWAL_ACTIONS", "{not json"),
        ("RISKWATCH_RENEWAL_LEGAL_LIMITS", '{"交强险": "REFUSE"}'),
        # the secrets, checked once the values are valid
        ("RISKWATCH_NEO4J_PASSWORD", ""),
        ("RISKWATCH_IDENTITY_SECRET", "short"),
        ("RISKWATCH_METRICS_TOKEN", "short"),
    ],
)
def test_an_invalid_value_names_its_variable(
    env: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    env.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=f"^(invalid settings: )?{variable}\\b"):
        load_settings()


def test_a_line_of_business_needs_a_name(env: pytest.MonkeyPatch) -> None:
    env.setenv("RISKWATCH_RENEWAL_LEGAL_LIMITS", '{" ": "DECLINE"}')
    with pytest.raises(ConfigurationError, match=r"RISKWATCH_RENEWAL_LEGAL_LIMITS: .*needs a name"):
        load_settings()


def test_variable_names_follow_the_group_prefix_and_aliases() -> None:
    assert variable_name(CrisisSettings, ("min_std",)) == f"{ENV_PREFIX}CRISIS_MIN_STD"
    assert (
        variable_name(CrisisSettings, ("alert_broker_interval_s",))
        == "RISKWATCH_ALERT_BROKER_INTERVAL_S"
    )
    assert variable_name(Settings, ("neo4j_uri",)) == "RISKWATCH_NEO4J_URI"

"""The one settings object, read from ``RISKWATCH_*`` environment variables.

Values come, in order of precedence, from the environment, a ``.env`` file in the working
directory, and ``.riskwatch/local.env`` in the repository (written by ``scripts/neo4j`` with
a generated Neo4j password and identity secret, so a newcomer never has to export anything).

Related settings are grouped (``settings.crisis.window_minutes``) without changing their
variables (``RISKWATCH_CRISIS_WINDOW_MINUTES``): each group is a settings class of its own
with its own prefix, which the one ``Settings`` builds when it is built. A field whose
variable does not share its group's prefix names it with ``validation_alias``.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from models.errors import ConfigurationError
from models.media import WRITE_CHUNK, SubjectKind, SubjectSpec
from models.renewal import DEFAULT_ACTIONS, RenewalAction
from models.renewal_lines import DEFAULT_LEGAL_LIMITS, line_key

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_ENV_FILE = PROJECT_ROOT / ".riskwatch" / "local.env"
ENV_PREFIX = "RISKWATCH_"


class CompanySubject(BaseModel):
    """One configured subject: the company, a brand or a product, with its aliases."""

    kind: SubjectKind = SubjectKind.COMPANY
    name: str = Field(min_length=2)
    aliases: list[str] = Field(default_factory=list)


class _SettingsGroup(BaseSettings):
    """A group of settings, read from the same sources as :class:`Settings`."""

    model_config = SettingsConfigDict(
        env_file=(LOCAL_ENV_FILE, ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )


class CrisisSettings(_SettingsGroup):
    """Crisis detection and its loops (issue 7): ``RISKWATCH_CRISIS_*``. Intervals in
    seconds; 0 turns a loop off (e.g. API processes that leave delivery to a worker)."""

    model_config = SettingsConfigDict(env_prefix=f"{ENV_PREFIX}CRISIS_")

    window_minutes: int = Field(default=60, ge=1)
    baseline_days: int = Field(default=14, ge=1)
    threshold_sigma: float = Field(default=3.0, gt=0)
    min_count: float = Field(default=5.0, ge=0)
    warmup_days: float = Field(default=7.0, ge=0)
    day_before_ratio: float = Field(default=1.5, ge=0)
    min_std: float = Field(default=1.0, gt=0)
    warning_sigma: float = Field(default=6.0, gt=0)
    crisis_sigma: float = Field(default=10.0, gt=0)
    crisis_min_count: float = Field(default=10.0, ge=0)
    alert_dedup_hours: float = Field(default=6.0, gt=0)
    plan_file: Path | None = None
    detect_interval_s: float = Field(default=300.0, ge=0)
    escalation_interval_s: float = Field(default=30.0, ge=0)
    # The subscription feed and the domain-event dispatcher, named as they always were.
    alert_broker_interval_s: float = Field(
        default=0.5, ge=0, validation_alias=f"{ENV_PREFIX}ALERT_BROKER_INTERVAL_S"
    )
    event_dispatch_interval_s: float = Field(
        default=1.0, ge=0, validation_alias=f"{ENV_PREFIX}EVENT_DISPATCH_INTERVAL_S"
    )


class DeliverySettings(_SettingsGroup):
    """The alert and event delivery worker: ``RISKWATCH_DELIVERY_*``."""

    model_config = SettingsConfigDict(env_prefix=f"{ENV_PREFIX}DELIVERY_")

    interval_s: float = Field(default=1.0, ge=0)
    timeout_s: float = Field(default=10.0, gt=0)
    backoff_base_s: float = Field(default=2.0, gt=0)
    backoff_max_s: float = Field(default=60.0, gt=0)
    max_attempts: int = Field(default=30, ge=1)


class SmtpSettings(_SettingsGroup):
    """The mail relay for EMAIL targets: ``RISKWATCH_SMTP_*`` (no host: no mail)."""

    model_config = SettingsConfigDict(env_prefix=f"{ENV_PREFIX}SMTP_")

    host: str | None = None
    port: int = Field(default=25, ge=1, le=65535)
    sender: str = "riskwatch@localhost"
    username: str | None = None
    password: SecretStr = SecretStr("")
    starttls: bool = False


class FeedSettings(_SettingsGroup):
    """Media monitoring (issue 6): ``RISKWATCH_FEED_*``. Feed URLs are caller input: internal
    addresses are refused unless ``allow_private`` is set (tests set it to reach their
    loopback feed server)."""

    model_config = SettingsConfigDict(env_prefix=f"{ENV_PREFIX}FEED_")

    allow_private: bool = False
    poll_concurrency: int = Field(default=32, ge=1, le=1000)
    poll_batch: int = Field(default=500, ge=1)
    request_timeout_s: float = Field(default=10.0, gt=0)
    max_response_bytes: int = Field(default=5_000_000, ge=1024)
    max_redirects: int = Field(default=5, ge=0, le=20)
    failure_threshold: int = Field(default=5, ge=1)
    lease_s: float = Field(default=120.0, gt=0)
    idle_s: float = Field(default=5.0, gt=0)
    story_window_h: float = Field(default=72.0, gt=0)
    link_min_chars: int = Field(default=3, ge=2)
    # Stories written per transaction in a poll cycle (models.media.WRITE_CHUNK).
    write_chunk: int = Field(default=WRITE_CHUNK, ge=1)


class WatchlistSettings(_SettingsGroup):
    """Watchlist rules (issue 4): ``RISKWATCH_WATCHLIST_*``: thresholds, entry lifetime and
    schedule (0 = not scheduled)."""

    model_config = SettingsConfigDict(env_prefix=f"{ENV_PREFIX}WATCHLIST_")

    complaint_min: int = Field(default=3, ge=1)
    complaint_window_days: int = Field(default=365, ge=1)
    fraud_hops: int = Field(default=2, ge=0, le=4)
    ring_min_parties: int = Field(default=3, ge=2)
    identifier_max_degree: int = Field(default=50, ge=2)
    shop_min_customers: int = Field(default=5, ge=2)
    shop_window_days: int = Field(default=14, ge=1)
    shop_malicious_min: int = Field(default=2, ge=1)
    entry_ttl_days: int = Field(default=365, ge=1)
    rules_interval_s: float = Field(default=0.0, ge=0)


class RenewalSettings(_SettingsGroup):
    """Renewal checks: ``RISKWATCH_RENEWAL_*``."""

    model_config = SettingsConfigDict(env_prefix=f"{ENV_PREFIX}RENEWAL_")

    # ACTIVE reason -> action (JSON object), over models/renewal.py's defaults.
    actions: dict[str, RenewalAction] = Field(
        default_factory=lambda: {k: RenewalAction(v) for k, v in DEFAULT_ACTIONS.items()}
    )
    batch_max: int = Field(default=1000, ge=1, le=10_000)
    # Lines of business (the `product` of a renewal check) -> the strongest action the law
    # allows for that line (JSON object), over models/renewal_lines.py's defaults.
    legal_limits: dict[str, RenewalAction] = Field(
        default_factory=lambda: {k: RenewalAction(v) for k, v in DEFAULT_LEGAL_LIMITS.items()}
    )

    @field_validator("legal_limits")
    @classmethod
    def _named_lines(cls, limits: dict[str, RenewalAction]) -> dict[str, RenewalAction]:
        if any(not line_key(product) for product in limits):
            raise ValueError("every line of business needs a name")
        return limits


def _groups(model: type[BaseSettings]) -> dict[str, type[_SettingsGroup]]:
    """The group fields of a settings class and their classes."""
    return {
        name: field.annotation
        for name, field in model.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, _SettingsGroup)
    }


class _WithoutGroups(PydanticBaseSettingsSource):
    """An environment source minus the group fields: a group reads its own variables, so a
    whole group in one JSON variable (``RISKWATCH_CRISIS``) is no setting at all."""

    def __init__(self, settings_cls: type[BaseSettings], source: PydanticBaseSettingsSource):
        super().__init__(settings_cls)
        self._source = source

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._source.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        groups = _groups(self.settings_cls)
        return {k: v for k, v in self._source().items() if k not in groups}


class Settings(BaseSettings):
    """Everything riskwatch can be configured with; see README's configuration table."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=(LOCAL_ENV_FILE, ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Code may pass a whole group; the environment only sets a group's own variables."""
        return (
            init_settings,
            _WithoutGroups(settings_cls, env_settings),
            _WithoutGroups(settings_cls, dotenv_settings),
            file_secret_settings,
        )

    environment: Literal["development", "production", "test"] = "development"
    log_level: str = "INFO"

    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    neo4j_query_timeout_s: float = Field(default=10.0, gt=0)
    neo4j_max_pool_size: int = Field(default=50, ge=1)

    identity_secret: SecretStr = SecretStr("")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # API processes `serve` starts on the one port (each with its own pool, caches and loops).
    workers: int = Field(default=1, ge=1, le=64)
    graphql_introspection: bool = True
    max_query_depth: int = Field(default=10, ge=1)
    max_request_bytes: int = Field(default=1_000_000, ge=1024)
    rate_limit_per_minute: int = Field(default=30_000, ge=0)  # per key and process; 0 = off
    rate_limit_burst: int = Field(default=1_000, ge=1)
    # Bearer token Prometheus sends to /metrics; unset, /metrics answers 404 (docs/operations.md).
    metrics_token: SecretStr = SecretStr("")
    # Unknown or revoked keys per client address (token bucket, per process); 0 = off.
    auth_failure_limit_per_minute: int = Field(default=10, ge=0)
    auth_failure_burst: int = Field(default=20, ge=1)
    # How long an authenticated key is remembered; a revocation made elsewhere takes this long.
    auth_cache_s: float = Field(default=2.0, ge=0, le=60)

    # Complaint desk: the overdue sweep (0 turns it off) and the complaint-risk signals.
    complaint_sweep_interval_s: float = Field(default=300.0, ge=0)
    # complaint.due_soon reminders this many days before a deadline (0 turns them off).
    complaint_due_soon_days: float = Field(default=3.0, ge=0, le=60)
    # The most complaints one report (or download) reads.
    complaint_report_max_rows: int = Field(default=200_000, ge=1)
    complaint_repeat_window_days: int = Field(default=180, ge=1)
    complaint_risk_pending_days: int = Field(default=30, ge=1)
    complaint_risk_hotline_contacts: int = Field(default=2, ge=1)
    complaint_risk_lookback_days: int = Field(default=365, ge=1)
    # Hot topics: roles that may not read complaints see a term only when this many share it.
    complaint_topic_min_complaints: int = Field(default=5, ge=2)
    # Probing by identifier (renewal checks, attention flags; issue 19): distinct identifiers
    # matching nobody per key and clock hour, and how many failed candidates sharing one
    # masked form count as enumeration.
    failed_identifiers_per_hour: int = Field(default=200, ge=1)
    enumeration_threshold: int = Field(default=10, ge=2)
    max_query_cost: int = Field(default=10_000, ge=1)

    network_max_nodes: int = Field(default=500, ge=1)
    network_fanout: int = Field(default=50, ge=1)
    ring_max_identifier_degree: int = Field(default=50, ge=2)
    ring_scan_page: int = Field(default=100_000, ge=100)
    ring_refresh_interval_s: float = Field(default=0.0, ge=0)
    # importRecords takes at most this much content; larger files go through the CLI.
    import_max_content_bytes: int = Field(default=900_000, ge=1024)

    sentiment_model: Path = PROJECT_ROOT / ".cache" / "sentiment" / "riskwatch-zh-sentiment"
    # Serving the sentiment model (docs/sentiment-model-card.md, "Serving"): the graph's
    # precision, the token cap (title + lead), texts per batch, ONNX Runtime threads (0: one
    # per core), and the stories that name nobody: scored when the scorer is idle, or never.
    sentiment_precision: Literal["fp32", "int8"] = "fp32"
    sentiment_max_tokens: int = Field(default=96, ge=16, le=512)
    sentiment_batch_size: int = Field(default=32, ge=1, le=1024)
    sentiment_threads: int = Field(default=0, ge=0, le=256)
    sentiment_backlog: Literal["idle", "never"] = "idle"
    # The monitor scores linked stories in its poll cycle; off: `riskwatch score` does.
    sentiment_inline: bool = True
    score_batch: int = Field(default=64, ge=1, le=10_000)
    score_lease_s: float = Field(default=120.0, gt=0)
    # The web console bundle that scripts/setup builds from console/ (served at /console/).
    console_dir: Path = PROJECT_ROOT / "api" / "console_static"

    # The media monitor loop inside `serve` (else `riskwatch monitor` runs it).
    monitor_in_serve: bool = False
    # The demo (scripts/dev turns it on): the app serves the demo's media corpus as RSS under
    # /demo/feeds/ without a key, and the monitor may fetch exactly those URLs on loopback.
    demo: bool = False
    # The company, its brands and products: JSON in RISKWATCH_COMPANY_ALIASES, or a YAML file
    # (a list of {kind, name, aliases}) in RISKWATCH_COMPANY_ALIASES_FILE, which wins.
    company_aliases: list[CompanySubject] = Field(
        default_factory=lambda: [
            CompanySubject(kind=SubjectKind.COMPANY, name="瑞安保险", aliases=["瑞安财险"])
        ]
    )
    company_aliases_file: Path | None = None

    # The groups, each read from its own RISKWATCH_<GROUP>_* variables when Settings is built.
    crisis: CrisisSettings = Field(default_factory=CrisisSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    feeds: FeedSettings = Field(default_factory=FeedSettings)
    watchlist: WatchlistSettings = Field(default_factory=WatchlistSettings)
    renewal: RenewalSettings = Field(default_factory=RenewalSettings)

    def subjects(self) -> list[SubjectSpec]:
        """The configured subjects of coverage, from the YAML file if one is set."""
        entries = self.company_aliases
        if self.company_aliases_file is not None:
            import yaml

            try:
                loaded = yaml.safe_load(self.company_aliases_file.read_text(encoding="utf-8"))
                entries = [CompanySubject.model_validate(item) for item in loaded or []]
            except (OSError, yaml.YAMLError, ValidationError, TypeError) as error:
                raise ConfigurationError(
                    f"{ENV_PREFIX}COMPANY_ALIASES_FILE {self.company_aliases_file}: {error}"
                ) from error
        return [SubjectSpec(e.kind, e.name, tuple(e.aliases)) for e in entries]

    def demo_feeds_url(self) -> str:
        """Where this server serves the demo feeds (a wildcard listen address means loopback)."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host  # noqa: S104
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/demo/feeds/"

    @cached_property
    def identity_key(self) -> bytes:
        """The HMAC key for identifier hashes, as bytes."""
        return self.identity_secret.get_secret_value().encode("utf-8")

    def require_secrets(self) -> None:
        """Fail with a message naming the variable when a secret the service needs is unset."""
        if not self.neo4j_password.get_secret_value():
            raise ConfigurationError(
                f"{ENV_PREFIX}NEO4J_PASSWORD is not set: run scripts/neo4j start (it writes "
                f"{LOCAL_ENV_FILE}) or export the variable"
            )
        if 0 < len(self.metrics_token.get_secret_value()) < 16:
            raise ConfigurationError(
                f"{ENV_PREFIX}METRICS_TOKEN must be at least 16 characters (or unset, which "
                "turns /metrics off)"
            )
        if len(self.identity_key) < 16:
            raise ConfigurationError(
                f"{ENV_PREFIX}IDENTITY_SECRET must be set to at least 16 characters: it keys "
                "the hashes of ID numbers and phones"
            )


_MODELS: dict[str, type[BaseSettings]] = {"Settings": Settings} | {
    group.__name__: group for group in _groups(Settings).values()
}


def variable_name(model: type[BaseSettings], loc: tuple[int | str, ...]) -> str:
    """The environment variable behind a validation error's location in ``model`` (a key
    inside a JSON value follows in brackets: ``RISKWATCH_RENEWAL_ACTIONS[X]``)."""
    name = str(loc[0])
    field = model.model_fields.get(name)
    if field is not None and isinstance(field.validation_alias, str):
        variable = field.validation_alias
    elif name.upper().startswith(ENV_PREFIX):  # read through its alias
        variable = name
    else:
        variable = f"{model.model_config.get('env_prefix', '')}{name}"
    return variable.upper() + "".join(f"[{part}]" for part in loc[1:])


def load_settings() -> Settings:
    """Read and validate the settings, turning validation errors into one clear message."""
    try:
        settings = Settings()
    except ValidationError as error:
        model = _MODELS.get(error.title, Settings)  # a group's error reaches here unwrapped
        problems = "; ".join(
            f"{variable_name(model, item['loc'])}: {item['msg']}" for item in error.errors()
        )
        raise ConfigurationError(f"invalid settings: {problems}") from error
    except SettingsError as error:  # a JSON value that does not parse; its field is named
        field = re.search(r'field "(\w+)"', str(error))
        variables = [
            variable_name(model, (field[1],))
            for model in _MODELS.values()
            if field and field[1] in model.model_fields
        ]
        raise ConfigurationError(f"invalid settings: {', '.join(variables)}: {error}") from error
    settings.require_secrets()
    return settings

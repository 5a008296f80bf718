"""The one settings object, read from ``RISKWATCH_*`` environment variables.

Values come, in order of precedence, from the environment, a ``.env`` file in the working
directory, and ``.riskwatch/local.env`` in the repository (written by ``scripts/neo4j`` with
a generated Neo4j password and identity secret, so a newcomer never has to export anything).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.errors import ConfigurationError
from models.media import SubjectKind, SubjectSpec
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


class Settings(BaseSettings):
    """Everything riskwatch can be configured with; see README's configuration table."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=(LOCAL_ENV_FILE, ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
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
    # Watchlist rules (issue 4): thresholds, entry lifetime, schedule (0 = not scheduled).
    watchlist_complaint_min: int = Field(default=3, ge=1)
    watchlist_complaint_window_days: int = Field(default=365, ge=1)
    watchlist_fraud_hops: int = Field(default=2, ge=0, le=4)
    watchlist_ring_min_parties: int = Field(default=3, ge=2)
    watchlist_identifier_max_degree: int = Field(default=50, ge=2)
    watchlist_shop_min_customers: int = Field(default=5, ge=2)
    watchlist_shop_window_days: int = Field(default=14, ge=1)
    watchlist_shop_malicious_min: int = Field(default=2, ge=1)
    watchlist_entry_ttl_days: int = Field(default=365, ge=1)
    watchlist_rules_interval_s: float = Field(default=0.0, ge=0)
    # Renewal checks: ACTIVE reason -> action (JSON object), and the batch cap.
    renewal_actions: dict[str, RenewalAction] = Field(
        default_factory=lambda: {k: RenewalAction(v) for k, v in DEFAULT_ACTIONS.items()}
    )
    renewal_batch_max: int = Field(default=1000, ge=1, le=10_000)
    # Lines of business (the `product` of a renewal check) -> the strongest action the law
    # allows for that line (JSON object), over models/renewal_lines.py's defaults.
    renewal_legal_limits: dict[str, RenewalAction] = Field(
        default_factory=lambda: {k: RenewalAction(v) for k, v in DEFAULT_LEGAL_LIMITS.items()}
    )
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

    # Crisis detection, plans and alert delivery (issue 7). Intervals in seconds; 0 = off.
    crisis_window_minutes: int = Field(default=60, ge=1)
    crisis_baseline_days: int = Field(default=14, ge=1)
    crisis_threshold_sigma: float = Field(default=3.0, gt=0)
    crisis_min_count: float = Field(default=5.0, ge=0)
    crisis_warmup_days: float = Field(default=7.0, ge=0)
    crisis_day_before_ratio: float = Field(default=1.5, ge=0)
    crisis_min_std: float = Field(default=1.0, gt=0)
    crisis_warning_sigma: float = Field(default=6.0, gt=0)
    crisis_crisis_sigma: float = Field(default=10.0, gt=0)
    crisis_crisis_min_count: float = Field(default=10.0, ge=0)
    crisis_alert_dedup_hours: float = Field(default=6.0, gt=0)
    crisis_plan_file: Path | None = None
    crisis_detect_interval_s: float = Field(default=300.0, ge=0)
    crisis_escalation_interval_s: float = Field(default=30.0, ge=0)
    alert_broker_interval_s: float = Field(default=0.5, ge=0)
    event_dispatch_interval_s: float = Field(default=1.0, ge=0)
    delivery_interval_s: float = Field(default=1.0, ge=0)
    delivery_timeout_s: float = Field(default=10.0, gt=0)
    delivery_backoff_base_s: float = Field(default=2.0, gt=0)
    delivery_backoff_max_s: float = Field(default=60.0, gt=0)
    delivery_max_attempts: int = Field(default=30, ge=1)
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_sender: str = "riskwatch@localhost"
    smtp_username: str | None = None
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    # Media monitoring (issue 6). Feed URLs are caller input: internal addresses are refused
    # unless feed_allow_private is set (tests set it to reach their loopback feed server).
    feed_allow_private: bool = False
    feed_poll_concurrency: int = Field(default=32, ge=1, le=1000)
    feed_poll_batch: int = Field(default=500, ge=1)
    feed_request_timeout_s: float = Field(default=10.0, gt=0)
    feed_max_response_bytes: int = Field(default=5_000_000, ge=1024)
    feed_max_redirects: int = Field(default=5, ge=0, le=20)
    feed_failure_threshold: int = Field(default=5, ge=1)
    feed_lease_s: float = Field(default=120.0, gt=0)
    feed_idle_s: float = Field(default=5.0, gt=0)
    feed_story_window_h: float = Field(default=72.0, gt=0)
    feed_link_min_chars: int = Field(default=3, ge=2)
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

    @field_validator("renewal_legal_limits")
    @classmethod
    def _named_lines(cls, limits: dict[str, RenewalAction]) -> dict[str, RenewalAction]:
        if any(not line_key(product) for product in limits):
            raise ValueError("every line of business needs a name")
        return limits

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


def load_settings() -> Settings:
    """Read and validate the settings, turning validation errors into one clear message."""
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{ENV_PREFIX}{'_'.join(str(p) for p in item['loc']).upper()}: {item['msg']}"
            for item in error.errors()
        )
        raise ConfigurationError(f"invalid settings: {problems}") from error
    settings.require_secrets()
    return settings

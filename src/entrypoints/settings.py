"""Configuration from `IVR_*` environment variables, read once into typed groups."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Literal

from attrs import field, frozen

from ivr_domain.identity.policy import AuthPolicy
from ivr_domain.shared.documents import DocumentKind

Persistence = Literal["memory", "sqlalchemy"]


class SettingsError(ValueError):
    """A configuration value is missing or malformed."""


KEY_VARIABLES = ("IVR_CIPHER_KEYS", "IVR_CIPHER_CURRENT_KEY", "IVR_BLIND_INDEX_KEY", "IVR_JWT_SECRET")


@frozen(kw_only=True)
class KeySettings:
    """Where keys come from: generated into the data directory, or given whole (production)."""

    keys_file: Path
    cipher_keys: str | None = None
    current_cipher_key: str | None = None
    blind_index_key: str | None = None
    jwt_secret: str | None = None

    def __attrs_post_init__(self) -> None:
        # A forgotten variable must not fall back to the key file: data would be encrypted under unintended keys.
        given = (self.cipher_keys, self.current_cipher_key, self.blind_index_key, self.jwt_secret)
        missing = [name for name, value in zip(KEY_VARIABLES, given, strict=True) if not value]
        if missing and len(missing) < len(KEY_VARIABLES):
            raise SettingsError(
                f"keys from the environment need all of {', '.join(KEY_VARIABLES)}; {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set (set all four, or none to use the key file)"
            )

    @property
    def from_environment(self) -> bool:
        """Tell whether every key is given in the environment."""
        return all((self.cipher_keys, self.current_cipher_key, self.blind_index_key, self.jwt_secret))


@frozen(kw_only=True)
class HttpSettings:
    """The HTTP server and its limits."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    """Server processes sharing the port; more than one needs a database and Redis (shared rate limits)."""
    public_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = 1024 * 1024
    session_cache_seconds: float = 5.0
    trusted_proxies: frozenset[str] = frozenset()
    idempotency_ttl: timedelta = timedelta(hours=24)


@frozen(kw_only=True)
class AuditSettings:
    """The audit chain's key and anchor file (both outside the database) and the embedded sealer's timer."""

    key_file: Path
    anchor_file: Path
    key: str | None = None
    seal_interval_seconds: float = 5.0


@frozen(kw_only=True)
class DocumentSettings:
    """Where document bytes are kept (encrypted) and how large one may be."""

    directory: Path = Path("var/documents")
    max_bytes: int = 25 * 1024 * 1024
    ivr_required_kinds: frozenset[DocumentKind] = frozenset()
    """The kinds an IVR's submit and resubmit need, on the IVR or its patient; none unless an operator says."""


@frozen(kw_only=True)
class EventSettings:
    """How committed events reach their handlers, and how often leftovers are replayed."""

    dispatch: Literal["inline", "procrastinate"] = "inline"
    replay_interval_seconds: float = 30.0
    replay_after_seconds: float = 60.0
    worker_concurrency: int = 4
    retry_attempts: int = 10
    retry_base_seconds: int = 2
    stalled_after_seconds: float = 60.0


@frozen(kw_only=True)
class Settings:
    """Everything the composition root needs."""

    environment: str = "development"
    data_dir: Path = Path("var")
    database_url: str = "sqlite:///var/ivr.db"
    redis_url: str | None = None
    password_hashing: Literal["owasp", "fast"] = "owasp"
    keys: KeySettings
    audit: AuditSettings
    http: HttpSettings = field(factory=HttpSettings)
    documents: DocumentSettings = field(factory=DocumentSettings)
    events: EventSettings = field(factory=EventSettings)
    auth: AuthPolicy = field(factory=AuthPolicy)
    log_level: str = "INFO"
    notifier: Literal["console", "memory"] = "console"
    ivr_expiry_seconds: float = 900.0

    @property
    def persistence(self) -> Persistence:
        """Return which family of repositories the database URL selects."""
        return "memory" if self.database_url == "memory" else "sqlalchemy"


MAX_WORKERS = 64
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DAY_SECONDS = 24 * 60 * 60
GIBIBYTE = 1024 * 1024 * 1024
MAX_RETRY_WAIT_SECONDS = 7 * DAY_SECONDS
"""The longest wait before a dispatch retry (procrastinate waits base ** attempt seconds)."""
PROCRASTINATE_STALLED_SECONDS = 30
"""Procrastinate's own threshold, three heartbeats: below it, live workers' jobs would be queued again."""


def _log_level(env: Mapping[str, str]) -> str:
    level = env.get("IVR_LOG_LEVEL", "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"IVR_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    return level


def _workers(env: Mapping[str, str], database_url: str) -> int:
    workers = _int(env, "IVR_WORKERS", 1, minimum=1, maximum=MAX_WORKERS)
    if workers > 1 and database_url == "memory":
        raise SettingsError("IVR_WORKERS above 1 needs a database: each process of the memory store has its own data")
    if workers > 1 and not env.get("IVR_REDIS_URL"):
        # In-process counters would give each process its own login attempts and rate limits: N times the allowance.
        raise SettingsError("IVR_WORKERS above 1 needs IVR_REDIS_URL, so every process shares rate limits and lockouts")
    return workers


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, not {raw!r}") from exc
    _check_range(name, raw, value, minimum, maximum)
    return value


def _float(env: Mapping[str, str], name: str, default: float, *, minimum: float, maximum: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from exc
    if not math.isfinite(value):
        raise SettingsError(f"{name} must be a finite number from {_shown(minimum)} to {_shown(maximum)}, not {raw!r}")
    _check_range(name, raw, value, minimum, maximum)
    return value


def _check_range(name: str, raw: str, value: float, minimum: float, maximum: float) -> None:
    if not minimum <= value <= maximum:
        raise SettingsError(f"{name} must be from {_shown(minimum)} to {_shown(maximum)}, not {raw!r}")


def _shown(bound: float) -> str:
    return str(int(bound)) if bound == int(bound) else str(bound)


def _document_kinds(env: Mapping[str, str], name: str) -> frozenset[DocumentKind]:
    """Read a comma-separated list of document kinds; an unknown one stops the start-up with the allowed list."""
    names = [n.strip() for n in env.get(name, "").split(",") if n.strip()]
    allowed = {kind.value: kind for kind in DocumentKind}
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise SettingsError(
            f"{name} names unknown document kinds {', '.join(map(repr, unknown))}; the kinds are {', '.join(allowed)}"
        )
    return frozenset(allowed[n] for n in names)


def _minutes(env: Mapping[str, str], name: str, default: int) -> timedelta:
    """Read a lifetime or window in whole minutes, from one minute to a day."""
    return timedelta(minutes=_int(env, name, default, minimum=1, maximum=24 * 60))


def _auth(env: Mapping[str, str]) -> AuthPolicy:
    base = AuthPolicy()
    idle_limit = _minutes(env, "IVR_SESSION_IDLE_MINUTES", 30)
    touch_seconds = _int(env, "IVR_SESSION_TOUCH_SECONDS", 60, minimum=0, maximum=60 * 60)
    if touch_seconds >= idle_limit.total_seconds():
        # Activity recorded less often than the idle limit would log out people who are working.
        raise SettingsError(
            f"IVR_SESSION_TOUCH_SECONDS ({touch_seconds}) must be shorter than IVR_SESSION_IDLE_MINUTES "
            f"({idle_limit.total_seconds():.0f} seconds)"
        )
    logins = {"minimum": 1, "maximum": 100_000}
    return AuthPolicy(
        access_token_ttl=_minutes(env, "IVR_ACCESS_TOKEN_MINUTES", 10),
        idle_limit=idle_limit,
        absolute_limit=timedelta(hours=_int(env, "IVR_SESSION_ABSOLUTE_HOURS", 12, minimum=1, maximum=30 * 24)),
        touch_interval=timedelta(seconds=touch_seconds),
        lockout_threshold=_int(env, "IVR_LOCKOUT_THRESHOLD", base.lockout_threshold, minimum=1, maximum=100),
        lockout_window=_minutes(env, "IVR_LOCKOUT_WINDOW_MINUTES", 15),
        lockout_duration=_minutes(env, "IVR_LOCKOUT_MINUTES", 15),
        login_limit_per_address=_int(env, "IVR_LOGIN_LIMIT_PER_ADDRESS", base.login_limit_per_address, **logins),
        login_limit_per_account=_int(env, "IVR_LOGIN_LIMIT_PER_ACCOUNT", base.login_limit_per_account, **logins),
        reset_token_ttl=_minutes(env, "IVR_RESET_TOKEN_MINUTES", 30),
        # The policy's own minimum is a floor an operator may raise, never lower.
        min_password_length=_int(
            env,
            "IVR_MIN_PASSWORD_LENGTH",
            base.min_password_length,
            minimum=base.min_password_length,
            maximum=base.max_password_length,
        ),
    )


def _events(env: Mapping[str, str], database_url: str) -> EventSettings:
    postgres = database_url.startswith("postgresql")
    dispatch = env.get("IVR_EVENTS_DISPATCH") or ("procrastinate" if postgres else "inline")
    if dispatch not in ("inline", "procrastinate"):
        raise SettingsError("IVR_EVENTS_DISPATCH must be 'inline' or 'procrastinate'")
    if dispatch == "procrastinate" and not postgres:
        raise SettingsError("IVR_EVENTS_DISPATCH=procrastinate needs a PostgreSQL IVR_DATABASE_URL")
    attempts = _int(env, "IVR_DISPATCH_MAX_ATTEMPTS", 10, minimum=1, maximum=100)
    base_seconds = _int(env, "IVR_DISPATCH_RETRY_BASE_SECONDS", 2, minimum=1, maximum=60 * 60)
    if base_seconds**attempts > MAX_RETRY_WAIT_SECONDS:
        raise SettingsError(
            f"IVR_DISPATCH_RETRY_BASE_SECONDS ** IVR_DISPATCH_MAX_ATTEMPTS ({base_seconds} ** {attempts} seconds, "
            f"the last retry's wait) must be at most a week ({MAX_RETRY_WAIT_SECONDS} seconds)"
        )
    return EventSettings(
        dispatch="procrastinate" if dispatch == "procrastinate" else "inline",
        replay_interval_seconds=_float(env, "IVR_OUTBOX_REPLAY_SECONDS", 30.0, minimum=0, maximum=DAY_SECONDS),
        replay_after_seconds=_float(env, "IVR_OUTBOX_REPLAY_AFTER_SECONDS", 60.0, minimum=1, maximum=DAY_SECONDS),
        worker_concurrency=_int(env, "IVR_WORKER_CONCURRENCY", 4, minimum=1, maximum=256),
        retry_attempts=attempts,
        retry_base_seconds=base_seconds,
        stalled_after_seconds=_float(
            env, "IVR_WORKER_STALLED_SECONDS", 60.0, minimum=PROCRASTINATE_STALLED_SECONDS, maximum=DAY_SECONDS
        ),
    )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from the environment (or a given mapping), with the embedded defaults."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("IVR_DATA_DIR", "var"))
    hashing = env.get("IVR_PASSWORD_HASHING", "owasp")
    if hashing not in ("owasp", "fast"):
        raise SettingsError("IVR_PASSWORD_HASHING must be 'owasp' or 'fast'")
    port = _int(env, "IVR_PORT", 8000, minimum=1, maximum=65535)
    host = env.get("IVR_HOST", "127.0.0.1")
    database_url = env.get("IVR_DATABASE_URL") or f"sqlite:///{data_dir / 'ivr.db'}"
    proxies = frozenset(p.strip() for p in env.get("IVR_TRUSTED_PROXIES", "").split(",") if p.strip())
    workers = _workers(env, database_url)
    timer = {"minimum": 0, "maximum": DAY_SECONDS}  # 0: never
    return Settings(
        environment=env.get("IVR_ENV", "development"),
        data_dir=data_dir,
        database_url=database_url,
        redis_url=env.get("IVR_REDIS_URL") or None,
        password_hashing="fast" if hashing == "fast" else "owasp",
        keys=KeySettings(
            keys_file=Path(env.get("IVR_KEYS_FILE") or data_dir / "keys.json"),
            cipher_keys=env.get("IVR_CIPHER_KEYS") or None,
            current_cipher_key=env.get("IVR_CIPHER_CURRENT_KEY") or None,
            blind_index_key=env.get("IVR_BLIND_INDEX_KEY") or None,
            jwt_secret=env.get("IVR_JWT_SECRET") or None,
        ),
        ivr_expiry_seconds=_float(env, "IVR_EXPIRY_SECONDS", 900.0, **timer),
        audit=AuditSettings(
            key_file=Path(env.get("IVR_AUDIT_KEY_FILE") or data_dir / "audit.key"),
            anchor_file=Path(env.get("IVR_AUDIT_ANCHOR_FILE") or data_dir / "audit-anchors.jsonl"),
            key=env.get("IVR_AUDIT_KEY") or None,
            seal_interval_seconds=_float(env, "IVR_AUDIT_SEAL_SECONDS", 5.0, **timer),
        ),
        http=HttpSettings(
            host=host,
            port=port,
            workers=workers,
            public_url=env.get("IVR_PUBLIC_URL") or f"http://{host}:{port}",
            max_body_bytes=_int(env, "IVR_MAX_BODY_BYTES", 1024 * 1024, minimum=1024, maximum=GIBIBYTE),
            session_cache_seconds=_float(env, "IVR_SESSION_CACHE_SECONDS", 5.0, minimum=0, maximum=5 * 60),
            trusted_proxies=proxies,
            idempotency_ttl=timedelta(hours=_int(env, "IVR_IDEMPOTENCY_TTL_HOURS", 24, minimum=1, maximum=30 * 24)),
        ),
        auth=_auth(env),
        documents=DocumentSettings(
            directory=Path(env.get("IVR_DOCUMENTS_DIR") or data_dir / "documents"),
            max_bytes=_int(env, "IVR_MAX_DOCUMENT_BYTES", 25 * 1024 * 1024, minimum=1024, maximum=GIBIBYTE),
            ivr_required_kinds=_document_kinds(env, "IVR_IVR_REQUIRED_DOCUMENT_KINDS"),
        ),
        log_level=_log_level(env),
        notifier="memory" if env.get("IVR_NOTIFIER") == "memory" else "console",
        events=_events(env, database_url),
    )

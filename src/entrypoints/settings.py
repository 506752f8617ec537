"""Configuration from `IVR_*` environment variables, read once into typed groups."""

from __future__ import annotations

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


@frozen(kw_only=True)
class KeySettings:
    """Where keys come from: generated into the data directory, or given whole (production)."""

    keys_file: Path
    cipher_keys: str | None = None
    current_cipher_key: str | None = None
    blind_index_key: str | None = None
    jwt_secret: str | None = None

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


def _log_level(env: Mapping[str, str]) -> str:
    level = env.get("IVR_LOG_LEVEL", "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"IVR_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    return level


def _workers(env: Mapping[str, str], database_url: str) -> int:
    workers = _int(env, "IVR_WORKERS", 1)
    if not 1 <= workers <= MAX_WORKERS:
        raise SettingsError(f"IVR_WORKERS must be from 1 to {MAX_WORKERS}")
    if workers > 1 and database_url == "memory":
        raise SettingsError("IVR_WORKERS above 1 needs a database: each process of the memory store has its own data")
    if workers > 1 and not env.get("IVR_REDIS_URL"):
        # In-process counters would give each process its own login attempts and rate limits: N times the allowance.
        raise SettingsError("IVR_WORKERS above 1 needs IVR_REDIS_URL, so every process shares rate limits and lockouts")
    return workers


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, not {raw!r}") from exc


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from exc


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


def _auth(env: Mapping[str, str]) -> AuthPolicy:
    base = AuthPolicy()
    return AuthPolicy(
        access_token_ttl=timedelta(minutes=_int(env, "IVR_ACCESS_TOKEN_MINUTES", 10)),
        idle_limit=timedelta(minutes=_int(env, "IVR_SESSION_IDLE_MINUTES", 30)),
        absolute_limit=timedelta(hours=_int(env, "IVR_SESSION_ABSOLUTE_HOURS", 12)),
        touch_interval=timedelta(seconds=_int(env, "IVR_SESSION_TOUCH_SECONDS", 60)),
        lockout_threshold=_int(env, "IVR_LOCKOUT_THRESHOLD", base.lockout_threshold),
        lockout_window=timedelta(minutes=_int(env, "IVR_LOCKOUT_WINDOW_MINUTES", 15)),
        lockout_duration=timedelta(minutes=_int(env, "IVR_LOCKOUT_MINUTES", 15)),
        login_limit_per_address=_int(env, "IVR_LOGIN_LIMIT_PER_ADDRESS", base.login_limit_per_address),
        login_limit_per_account=_int(env, "IVR_LOGIN_LIMIT_PER_ACCOUNT", base.login_limit_per_account),
        reset_token_ttl=timedelta(minutes=_int(env, "IVR_RESET_TOKEN_MINUTES", 30)),
        min_password_length=_int(env, "IVR_MIN_PASSWORD_LENGTH", base.min_password_length),
    )


def _events(env: Mapping[str, str], database_url: str) -> EventSettings:
    postgres = database_url.startswith("postgresql")
    dispatch = env.get("IVR_EVENTS_DISPATCH") or ("procrastinate" if postgres else "inline")
    if dispatch not in ("inline", "procrastinate"):
        raise SettingsError("IVR_EVENTS_DISPATCH must be 'inline' or 'procrastinate'")
    if dispatch == "procrastinate" and not postgres:
        raise SettingsError("IVR_EVENTS_DISPATCH=procrastinate needs a PostgreSQL IVR_DATABASE_URL")
    concurrency = _int(env, "IVR_WORKER_CONCURRENCY", 4)
    if concurrency < 1:
        raise SettingsError("IVR_WORKER_CONCURRENCY must be at least 1")
    return EventSettings(
        dispatch="procrastinate" if dispatch == "procrastinate" else "inline",
        replay_interval_seconds=_float(env, "IVR_OUTBOX_REPLAY_SECONDS", 30.0),
        replay_after_seconds=_float(env, "IVR_OUTBOX_REPLAY_AFTER_SECONDS", 60.0),
        worker_concurrency=concurrency,
        retry_attempts=_int(env, "IVR_DISPATCH_MAX_ATTEMPTS", 10),
        retry_base_seconds=_int(env, "IVR_DISPATCH_RETRY_BASE_SECONDS", 2),
        stalled_after_seconds=_float(env, "IVR_WORKER_STALLED_SECONDS", 60.0),
    )


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from the environment (or a given mapping), with the embedded defaults."""
    try:
        return _load_settings(os.environ if env is None else env)
    except OverflowError:
        raise SettingsError("a duration setting (IVR_*_SECONDS, _MINUTES or _HOURS) is too large") from None


def _load_settings(env: Mapping[str, str]) -> Settings:
    data_dir = Path(env.get("IVR_DATA_DIR", "var"))
    hashing = env.get("IVR_PASSWORD_HASHING", "owasp")
    if hashing not in ("owasp", "fast"):
        raise SettingsError("IVR_PASSWORD_HASHING must be 'owasp' or 'fast'")
    port = _int(env, "IVR_PORT", 8000)
    host = env.get("IVR_HOST", "127.0.0.1")
    database_url = env.get("IVR_DATABASE_URL") or f"sqlite:///{data_dir / 'ivr.db'}"
    proxies = frozenset(p.strip() for p in env.get("IVR_TRUSTED_PROXIES", "").split(",") if p.strip())
    workers = _workers(env, database_url)
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
        ivr_expiry_seconds=_float(env, "IVR_EXPIRY_SECONDS", 900.0),
        audit=AuditSettings(
            key_file=Path(env.get("IVR_AUDIT_KEY_FILE") or data_dir / "audit.key"),
            anchor_file=Path(env.get("IVR_AUDIT_ANCHOR_FILE") or data_dir / "audit-anchors.jsonl"),
            key=env.get("IVR_AUDIT_KEY") or None,
            seal_interval_seconds=_float(env, "IVR_AUDIT_SEAL_SECONDS", 5.0),
        ),
        http=HttpSettings(
            host=host,
            port=port,
            workers=workers,
            public_url=env.get("IVR_PUBLIC_URL") or f"http://{host}:{port}",
            max_body_bytes=_int(env, "IVR_MAX_BODY_BYTES", 1024 * 1024),
            session_cache_seconds=_float(env, "IVR_SESSION_CACHE_SECONDS", 5.0),
            trusted_proxies=proxies,
            idempotency_ttl=timedelta(hours=_int(env, "IVR_IDEMPOTENCY_TTL_HOURS", 24)),
        ),
        auth=_auth(env),
        documents=DocumentSettings(
            directory=Path(env.get("IVR_DOCUMENTS_DIR") or data_dir / "documents"),
            max_bytes=_int(env, "IVR_MAX_DOCUMENT_BYTES", 25 * 1024 * 1024),
            ivr_required_kinds=_document_kinds(env, "IVR_IVR_REQUIRED_DOCUMENT_KINDS"),
        ),
        log_level=_log_level(env),
        notifier="memory" if env.get("IVR_NOTIFIER") == "memory" else "console",
        events=_events(env, database_url),
    )

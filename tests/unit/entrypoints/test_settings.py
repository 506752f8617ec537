"""Settings out of their allowed range, and keys half given in the environment, stop the start-up by name."""

from __future__ import annotations

import re
from operator import attrgetter
from pathlib import Path

import pytest

from entrypoints.settings import (
    KEY_VARIABLES,
    EventSettings,
    HttpSettings,
    SettingsError,
    load_settings,
)
from ivr_domain.identity.policy import AuthPolicy

# Each setting with a value just outside its range and the range the message must state.
OUT_OF_RANGE = [
    ("IVR_PORT", "0", "1 to 65535"),
    ("IVR_PORT", "65536", "1 to 65535"),
    ("IVR_WORKERS", "0", "1 to 64"),
    ("IVR_WORKERS", "-3", "1 to 64"),
    ("IVR_MAX_BODY_BYTES", "-1", "1024 to 1073741824"),
    ("IVR_MAX_BODY_BYTES", "1023", "1024 to 1073741824"),
    ("IVR_MAX_DOCUMENT_BYTES", "0", "1024 to 1073741824"),
    ("IVR_MAX_DOCUMENT_BYTES", "1073741825", "1024 to 1073741824"),
    ("IVR_IDEMPOTENCY_TTL_HOURS", "0", "1 to 720"),
    ("IVR_IDEMPOTENCY_TTL_HOURS", "99999999999", "1 to 720"),
    ("IVR_ACCESS_TOKEN_MINUTES", "0", "1 to 1440"),
    ("IVR_ACCESS_TOKEN_MINUTES", "99999999999999", "1 to 1440"),
    ("IVR_SESSION_IDLE_MINUTES", "0", "1 to 1440"),
    ("IVR_SESSION_ABSOLUTE_HOURS", "0", "1 to 720"),
    ("IVR_SESSION_ABSOLUTE_HOURS", "721", "1 to 720"),
    ("IVR_SESSION_TOUCH_SECONDS", "-1", "0 to 3600"),
    ("IVR_SESSION_CACHE_SECONDS", "-5", "0 to 300"),
    ("IVR_SESSION_CACHE_SECONDS", "300.5", "0 to 300"),
    ("IVR_LOCKOUT_THRESHOLD", "0", "1 to 100"),
    ("IVR_LOCKOUT_WINDOW_MINUTES", "0", "1 to 1440"),
    ("IVR_LOCKOUT_MINUTES", "1441", "1 to 1440"),
    ("IVR_LOGIN_LIMIT_PER_ADDRESS", "0", "1 to 100000"),
    ("IVR_LOGIN_LIMIT_PER_ACCOUNT", "100001", "1 to 100000"),
    ("IVR_RESET_TOKEN_MINUTES", "0", "1 to 1440"),
    ("IVR_MIN_PASSWORD_LENGTH", "2", "12 to 128"),
    ("IVR_MIN_PASSWORD_LENGTH", "11", "12 to 128"),
    ("IVR_MIN_PASSWORD_LENGTH", "129", "12 to 128"),
    ("IVR_EXPIRY_SECONDS", "-1", "0 to 86400"),
    ("IVR_AUDIT_SEAL_SECONDS", "-0.5", "0 to 86400"),
    ("IVR_AUDIT_SEAL_SECONDS", "86401", "0 to 86400"),
    ("IVR_OUTBOX_REPLAY_SECONDS", "-1", "0 to 86400"),
    ("IVR_OUTBOX_REPLAY_AFTER_SECONDS", "0", "1 to 86400"),
    ("IVR_WORKER_CONCURRENCY", "0", "1 to 256"),
    ("IVR_WORKER_CONCURRENCY", "257", "1 to 256"),
    ("IVR_DISPATCH_MAX_ATTEMPTS", "0", "1 to 100"),
    ("IVR_DISPATCH_RETRY_BASE_SECONDS", "0", "1 to 3600"),
    ("IVR_WORKER_STALLED_SECONDS", "29", "30 to 86400"),
]

# Each setting at the edge of its range, and where the value lands.
AT_THE_EDGE = [
    ("IVR_PORT", "1", "http.port", 1),
    ("IVR_PORT", "65535", "http.port", 65535),
    ("IVR_MAX_BODY_BYTES", "1024", "http.max_body_bytes", 1024),
    ("IVR_MAX_DOCUMENT_BYTES", "1073741824", "documents.max_bytes", 1024**3),
    ("IVR_IDEMPOTENCY_TTL_HOURS", "720", "http.idempotency_ttl.days", 30),
    ("IVR_ACCESS_TOKEN_MINUTES", "1", "auth.access_token_ttl.seconds", 60),
    ("IVR_SESSION_ABSOLUTE_HOURS", "720", "auth.absolute_limit.days", 30),
    ("IVR_SESSION_TOUCH_SECONDS", "0", "auth.touch_interval.seconds", 0),
    ("IVR_SESSION_CACHE_SECONDS", "0", "http.session_cache_seconds", 0.0),
    ("IVR_SESSION_CACHE_SECONDS", "300", "http.session_cache_seconds", 300.0),
    ("IVR_LOCKOUT_THRESHOLD", "1", "auth.lockout_threshold", 1),
    ("IVR_LOGIN_LIMIT_PER_ADDRESS", "100000", "auth.login_limit_per_address", 100_000),
    ("IVR_MIN_PASSWORD_LENGTH", "12", "auth.min_password_length", 12),
    ("IVR_MIN_PASSWORD_LENGTH", "128", "auth.min_password_length", 128),
    ("IVR_EXPIRY_SECONDS", "0.05", "ivr_expiry_seconds", 0.05),
    ("IVR_AUDIT_SEAL_SECONDS", "0", "audit.seal_interval_seconds", 0.0),
    ("IVR_OUTBOX_REPLAY_SECONDS", "86400", "events.replay_interval_seconds", 86400.0),
    ("IVR_OUTBOX_REPLAY_AFTER_SECONDS", "1", "events.replay_after_seconds", 1.0),
    ("IVR_WORKER_CONCURRENCY", "1", "events.worker_concurrency", 1),
    ("IVR_WORKER_CONCURRENCY", "256", "events.worker_concurrency", 256),
    ("IVR_DISPATCH_MAX_ATTEMPTS", "1", "events.retry_attempts", 1),
    ("IVR_WORKER_STALLED_SECONDS", "30", "events.stalled_after_seconds", 30.0),
]


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"IVR_DATA_DIR": str(tmp_path), "IVR_DATABASE_URL": "memory", **values}


def test_nothing_set_gives_the_documented_defaults(tmp_path: Path) -> None:
    loaded = load_settings(_env(tmp_path))

    assert loaded.http == HttpSettings()
    assert loaded.auth == AuthPolicy()
    assert loaded.events == EventSettings()
    assert loaded.ivr_expiry_seconds == 900.0
    assert loaded.audit.seal_interval_seconds == 5.0
    assert loaded.documents.max_bytes == 25 * 1024 * 1024
    assert not loaded.keys.from_environment


@pytest.mark.parametrize(("name", "value", "allowed"), OUT_OF_RANGE)
def test_a_value_out_of_range_is_refused_naming_the_setting_the_value_and_the_range(
    tmp_path: Path, name: str, value: str, allowed: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(_env(tmp_path, **{name: value}))

    assert str(refused.value) == f"{name} must be from {allowed}, not {value!r}"


@pytest.mark.parametrize(("name", "value", "where", "expected"), AT_THE_EDGE)
def test_a_value_at_the_edge_of_its_range_is_accepted(
    tmp_path: Path, name: str, value: str, where: str, expected: float
) -> None:
    assert attrgetter(where)(load_settings(_env(tmp_path, **{name: value}))) == expected


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "1e999"])
@pytest.mark.parametrize("name", ["IVR_SESSION_CACHE_SECONDS", "IVR_AUDIT_SEAL_SECONDS", "IVR_EXPIRY_SECONDS"])
def test_a_number_that_is_not_finite_is_refused(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} must be a finite number from 0 to .*, not '{value}'$"):
        load_settings(_env(tmp_path, **{name: value}))


@pytest.mark.parametrize(("name", "value"), [("IVR_PORT", "80.5"), ("IVR_AUDIT_SEAL_SECONDS", "often")])
def test_a_value_that_is_not_a_number_is_still_refused_as_such(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name} must be an? (integer|number), not '{value}'$"):
        load_settings(_env(tmp_path, **{name: value}))


@pytest.mark.parametrize(("touch", "idle"), [("60", "1"), ("3600", "60")])
def test_activity_recorded_no_more_often_than_the_idle_limit_is_refused(tmp_path: Path, touch: str, idle: str) -> None:
    env = _env(tmp_path, IVR_SESSION_TOUCH_SECONDS=touch, IVR_SESSION_IDLE_MINUTES=idle)
    with pytest.raises(SettingsError, match=f"IVR_SESSION_TOUCH_SECONDS \\({touch}\\) must be shorter than"):
        load_settings(env)


def test_an_idle_limit_of_one_minute_is_accepted_with_a_shorter_touch(tmp_path: Path) -> None:
    env = _env(tmp_path, IVR_SESSION_TOUCH_SECONDS="59", IVR_SESSION_IDLE_MINUTES="1")
    assert load_settings(env).auth.idle_limit.total_seconds() == 60


@pytest.mark.parametrize(("base", "attempts"), [("2", "20"), ("60", "4"), ("3600", "2")])
def test_a_retry_wait_longer_than_a_week_is_refused(tmp_path: Path, base: str, attempts: str) -> None:
    env = _env(tmp_path, IVR_DISPATCH_RETRY_BASE_SECONDS=base, IVR_DISPATCH_MAX_ATTEMPTS=attempts)
    with pytest.raises(SettingsError, match=re.escape(f"({base} ** {attempts} seconds, the last retry's wait)")):
        load_settings(env)


@pytest.mark.parametrize(("base", "attempts"), [("2", "19"), ("1", "100"), ("60", "3")])
def test_a_retry_wait_of_at_most_a_week_is_accepted(tmp_path: Path, base: str, attempts: str) -> None:
    env = _env(tmp_path, IVR_DISPATCH_RETRY_BASE_SECONDS=base, IVR_DISPATCH_MAX_ATTEMPTS=attempts)
    events = load_settings(env).events
    assert (events.retry_base_seconds, events.retry_attempts) == (int(base), int(attempts))


KEY_VALUES = dict(zip(KEY_VARIABLES, ["k1:a2V5", "k1", "YmxpbmQ=", "and0"], strict=True))


@pytest.mark.parametrize(
    "given",
    [
        ["IVR_CIPHER_KEYS"],
        ["IVR_JWT_SECRET"],
        ["IVR_CIPHER_KEYS", "IVR_CIPHER_CURRENT_KEY"],
        ["IVR_CIPHER_KEYS", "IVR_CIPHER_CURRENT_KEY", "IVR_BLIND_INDEX_KEY"],
        ["IVR_CIPHER_CURRENT_KEY", "IVR_BLIND_INDEX_KEY", "IVR_JWT_SECRET"],
    ],
)
def test_keys_partly_given_in_the_environment_are_refused_naming_the_missing_ones(
    tmp_path: Path, given: list[str]
) -> None:
    missing = [name for name in KEY_VARIABLES if name not in given]

    with pytest.raises(SettingsError) as refused:
        load_settings(_env(tmp_path, **{name: KEY_VALUES[name] for name in given}))

    unset = str(refused.value).split("; ", 1)[1]
    assert unset.startswith(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set")
    assert not any(name in unset for name in given)


def test_a_key_variable_set_to_nothing_counts_as_missing(tmp_path: Path) -> None:
    env = _env(tmp_path, **KEY_VALUES) | {"IVR_BLIND_INDEX_KEY": ""}
    with pytest.raises(SettingsError, match="; IVR_BLIND_INDEX_KEY is not set"):
        load_settings(env)


def test_all_four_key_variables_take_the_keys_from_the_environment(tmp_path: Path) -> None:
    assert load_settings(_env(tmp_path, **KEY_VALUES)).keys.from_environment

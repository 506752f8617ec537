"""The one composition root: every entrypoint builds its adapters and handlers here."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from dependency_injector import containers, providers

from adapters.cache import InMemoryCounterStore, RedisCounterStore
from adapters.codes import LibPhoneNumbers, LibraryCodeSets
from adapters.crypto import (
    FAST_FOR_TESTS,
    OWASP,
    AesGcmFieldCipher,
    Argon2PasswordHasher,
    HmacBlindIndex,
    JwtTokenService,
    KeyRing,
    keyring_from_settings,
    load_or_create_key_file,
)
from adapters.memory import InMemoryIdempotencyStore, InMemoryStore, InMemoryUnitOfWork
from adapters.notifications import ConsoleResetNotifier, InMemoryResetNotifier
from adapters.sqlalchemy import SqlAlchemyIdempotencyStore, SqlAlchemyUnitOfWork, create_engine_for
from adapters.sqlalchemy.migrate import is_current
from entrypoints.settings import Settings
from ivr_domain.identity.use_cases.auth import (
    AuthenticateHandler,
    LoginHandler,
    LogoutHandler,
    RefreshHandler,
    SessionIssuer,
)
from ivr_domain.identity.use_cases.hierarchy import AssignMemberHandler, AssignmentHistoryHandler, HierarchyHandler
from ivr_domain.identity.use_cases.passwords import ChangePasswordHandler, ForgotPasswordHandler, ResetPasswordHandler
from ivr_domain.identity.use_cases.practices import (
    CreatePracticeHandler,
    GetPracticeHandler,
    ListPracticesHandler,
    UpdatePracticeHandler,
)
from ivr_domain.identity.use_cases.users import (
    CreateUserHandler,
    DeactivateUserHandler,
    FindUserByEmailHandler,
    GetUserHandler,
    ListUsersHandler,
    SetPermissionsHandler,
    UpdateUserHandler,
)
from ivr_domain.patients.use_cases import (
    ArchivePatientHandler,
    CreatePatientHandler,
    GetPatientHandler,
    ListPatientsHandler,
    SearchPatientsHandler,
    UpdatePatientHandler,
)
from ivr_domain.shared.clock import SystemClock
from ivr_domain.shared.ports import PasswordHasher


def load_keyring(settings: Settings) -> KeyRing:
    """Read keys from the environment in production, or from (or into) the data directory's key file."""
    keys = settings.keys
    if keys.from_environment:
        return keyring_from_settings(
            cipher_keys=keys.cipher_keys or "",
            current=keys.current_cipher_key or "",
            blind_index_key=keys.blind_index_key or "",
            jwt_secret=keys.jwt_secret or "",
        )
    if settings.environment == "production":
        raise RuntimeError(
            "production requires IVR_CIPHER_KEYS, IVR_CIPHER_CURRENT_KEY, IVR_BLIND_INDEX_KEY, IVR_JWT_SECRET"
        )
    ring, created = load_or_create_key_file(keys.keys_file)
    if created:
        # Said on the console once, so an operator knows the file must be kept and backed up.
        print(
            f"Generated new encryption and signing keys in {keys.keys_file} (mode 0600): keep it safe.", file=sys.stderr
        )
    return ring


def _hasher(settings: Settings) -> Argon2PasswordHasher:
    return Argon2PasswordHasher(FAST_FOR_TESTS if settings.password_hashing == "fast" else OWASP)


def _decoy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("a password nobody has, hashed so unknown emails cost as much as known ones")


def readiness_check(settings: Settings) -> Callable[[], tuple[bool, str]]:
    """Return a check that the database answers and its schema is current."""
    if settings.persistence == "memory":
        return lambda: (True, "memory store")

    def check() -> tuple[bool, str]:
        try:
            current = is_current(settings.database_url)
        except Exception as exc:  # any failure to reach the database means not ready
            return False, f"database unreachable: {type(exc).__name__}"
        return (True, "database reachable, migrations current") if current else (False, "migrations pending")

    return check


class Container(containers.DeclarativeContainer):
    """Adapters chosen by settings, and one provider per use case."""

    settings = providers.Dependency(instance_of=Settings)
    auth_policy = providers.Callable(lambda s: s.auth, settings)
    clock = providers.Singleton(SystemClock)

    keyring = providers.Singleton(load_keyring, settings)
    cipher = providers.Singleton(lambda k: AesGcmFieldCipher(k.cipher_keys, k.current_cipher_key_id), keyring)
    blind_index = providers.Singleton(lambda k: HmacBlindIndex(k.blind_index_key), keyring)
    hasher = providers.Singleton(_hasher, settings)
    decoy_hash = providers.Singleton(_decoy_hash, hasher)
    tokens = providers.Singleton(lambda k, c: JwtTokenService(k.jwt_secret, c), keyring, clock)
    phones = providers.Singleton(LibPhoneNumbers)
    code_sets = providers.Singleton(LibraryCodeSets)

    persistence = providers.Callable(lambda s: s.persistence, settings)
    memory_store = providers.Singleton(InMemoryStore)
    engine = providers.Singleton(lambda s: create_engine_for(s.database_url), settings)
    uow = providers.Selector(
        persistence,
        memory=providers.Factory(InMemoryUnitOfWork, memory_store),
        sqlalchemy=providers.Factory(SqlAlchemyUnitOfWork, engine, cipher=cipher, blind_index=blind_index),
    )
    idempotency = providers.Selector(
        persistence,
        memory=providers.Singleton(InMemoryIdempotencyStore),
        sqlalchemy=providers.Singleton(SqlAlchemyIdempotencyStore, engine),
    )
    counters = providers.Selector(
        providers.Callable(lambda s: "redis" if s.redis_url else "memory", settings),
        memory=providers.Singleton(InMemoryCounterStore, clock),
        redis=providers.Singleton(lambda s: RedisCounterStore.from_url(s.redis_url), settings),
    )
    reset_notifier = providers.Selector(
        providers.Callable(lambda s: s.notifier, settings),
        console=providers.Singleton(lambda s: ConsoleResetNotifier(s.http.public_url), settings),
        memory=providers.Singleton(InMemoryResetNotifier),
    )
    readiness = providers.Singleton(readiness_check, settings)

    issuer = providers.Singleton(SessionIssuer, tokens=tokens, clock=clock, policy=auth_policy)
    login = providers.Singleton(
        LoginHandler,
        uow=uow.provider,
        hasher=hasher,
        counters=counters,
        issuer=issuer,
        clock=clock,
        policy=auth_policy,
        decoy_hash=decoy_hash,
    )
    refresh = providers.Singleton(RefreshHandler, uow=uow.provider, issuer=issuer, clock=clock, policy=auth_policy)
    logout = providers.Singleton(LogoutHandler, uow=uow.provider, clock=clock)
    authenticate = providers.Singleton(
        AuthenticateHandler, uow=uow.provider, tokens=tokens, clock=clock, policy=auth_policy
    )
    change_password = providers.Singleton(
        ChangePasswordHandler, uow=uow.provider, hasher=hasher, clock=clock, policy=auth_policy
    )
    forgot_password = providers.Singleton(
        ForgotPasswordHandler,
        uow=uow.provider,
        notifier=reset_notifier,
        counters=counters,
        clock=clock,
        policy=auth_policy,
    )
    reset_password = providers.Singleton(
        ResetPasswordHandler, uow=uow.provider, hasher=hasher, counters=counters, clock=clock, policy=auth_policy
    )

    create_user = providers.Singleton(
        CreateUserHandler, uow=uow.provider, hasher=hasher, clock=clock, policy=auth_policy
    )
    get_user = providers.Singleton(GetUserHandler, uow=uow.provider)
    find_user_by_email = providers.Singleton(FindUserByEmailHandler, uow=uow.provider)
    list_users = providers.Singleton(ListUsersHandler, uow=uow.provider)
    update_user = providers.Singleton(UpdateUserHandler, uow=uow.provider, clock=clock)
    deactivate_user = providers.Singleton(DeactivateUserHandler, uow=uow.provider, clock=clock)
    set_permissions = providers.Singleton(SetPermissionsHandler, uow=uow.provider, clock=clock)
    assign_member = providers.Singleton(AssignMemberHandler, uow=uow.provider, clock=clock)
    assignment_history = providers.Singleton(AssignmentHistoryHandler, uow=uow.provider)
    hierarchy = providers.Singleton(HierarchyHandler, uow=uow.provider)

    create_practice = providers.Singleton(CreatePracticeHandler, uow=uow.provider, phones=phones, clock=clock)
    get_practice = providers.Singleton(GetPracticeHandler, uow=uow.provider)
    list_practices = providers.Singleton(ListPracticesHandler, uow=uow.provider)
    update_practice = providers.Singleton(UpdatePracticeHandler, uow=uow.provider, phones=phones, clock=clock)

    create_patient = providers.Singleton(CreatePatientHandler, uow=uow.provider, phones=phones, clock=clock)
    get_patient = providers.Singleton(GetPatientHandler, uow=uow.provider)
    update_patient = providers.Singleton(UpdatePatientHandler, uow=uow.provider, phones=phones, clock=clock)
    archive_patient = providers.Singleton(ArchivePatientHandler, uow=uow.provider, clock=clock)
    list_patients = providers.Singleton(ListPatientsHandler, uow=uow.provider)
    search_patients = providers.Singleton(SearchPatientsHandler, uow=uow.provider)


def build_container(settings: Settings, **overrides: Any) -> Container:
    """Build the container for these settings; keyword overrides replace providers by name (tests)."""
    container = Container(settings=settings)
    for name, value in overrides.items():
        getattr(container, name).override(providers.Object(value))
    return container

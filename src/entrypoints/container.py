"""The one composition root: every entrypoint builds its adapters and handlers here."""

from __future__ import annotations

from typing import Any

from dependency_injector import containers, providers

from adapters.cache import InMemoryCounterStore, RedisCounterStore
from adapters.codes import LibPhoneNumbers, LibraryCodeSets
from adapters.crypto import (
    HmacBlindIndex,
    JwtTokenService,
)
from adapters.events import InProcessDispatcher, ProcrastinateJobQueue
from adapters.files import FileAnchorLog
from adapters.memory import InMemoryAnchorLog, InMemoryIdempotencyStore, InMemoryStore, InMemoryUnitOfWork
from adapters.memory.document_store import InMemoryDocumentStore
from adapters.notifications import ConsoleResetNotifier, InMemoryResetNotifier
from adapters.sqlalchemy import SqlAlchemyIdempotencyStore, SqlAlchemyUnitOfWork, create_engine_for
from adapters.sqlalchemy.rekey import SqlAlchemyRekeyer
from entrypoints.event_wiring import after_commit_hook, enqueue_hook, subscriptions
from entrypoints.infrastructure import (
    load_audit_key,
    load_keyring,
    make_cipher,
    make_decoy_hash,
    make_document_store,
    make_hasher,
    make_ivr_printer,
    readiness_check,
)
from entrypoints.settings import Settings
from ivr_domain.admin.audit_chain import AuditSealer, AuditVerifier
from ivr_domain.admin.use_cases import AccessReportHandler, SearchAuditLogHandler
from ivr_domain.identity.use_cases.access import DeactivateUserHandler, SetPermissionsHandler
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
    FindUserByEmailHandler,
    GetUserHandler,
    ListUsersHandler,
    UpdateUserHandler,
)
from ivr_domain.ivr.templates.justification_cases import JustificationLibrary
from ivr_domain.ivr.templates.template_cases import (
    CreateTemplateHandler,
    DeleteTemplateHandler,
    UpdateTemplateHandler,
)
from ivr_domain.ivr.templates.template_reads import GetTemplateHandler, ListTemplatesHandler
from ivr_domain.ivr.use_cases import (
    ActOnIvrHandler,
    AssignReviewerHandler,
    CreateIvrHandler,
    ExpireLapsedIvrsHandler,
    GetIvrHandler,
    IvrHistoryHandler,
    IvrQueueHandler,
    ListIvrsHandler,
    UpdateIvrHandler,
)
from ivr_domain.ivr.use_cases.bulk import BulkApproveHandler
from ivr_domain.ivr.use_cases.documents import (
    GetIvrDocumentHandler,
    ListIvrDocumentsHandler,
    UploadIvrDocumentHandler,
)
from ivr_domain.ivr.use_cases.printable import PrintIvrHandler
from ivr_domain.notifications.use_cases import (
    DeliverNotificationsHandler,
    ListNotificationsHandler,
    MarkAllNotificationsReadHandler,
    MarkNotificationReadHandler,
)
from ivr_domain.patients.documents import GetDocumentHandler, ListDocumentsHandler, UploadDocumentHandler
from ivr_domain.patients.use_cases import (
    ArchivePatientHandler,
    CreatePatientHandler,
    GetPatientHandler,
    ListPatientsHandler,
    SearchPatientsHandler,
    UpdatePatientHandler,
)
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.clock import SystemClock
from ivr_domain.shared.dispatch import EventDispatcher, EventSequencer


class Container(containers.DeclarativeContainer):
    """Adapters chosen by settings, and one provider per use case."""

    # Shared objects are made on first use, and that can be on several threads at once (the event relay's
    # first replay, timers, request workers): a plain `Singleton` then builds two, e.g. two memory stores,
    # and whatever one thread wrote to the lost one vanishes. `ThreadSafeSingleton` builds one under a lock.
    __self__ = providers.Self()
    settings = providers.Dependency(instance_of=Settings)
    auth_policy = providers.Callable(lambda s: s.auth, settings)
    clock = providers.ThreadSafeSingleton(SystemClock)

    keyring = providers.ThreadSafeSingleton(load_keyring, settings)
    cipher = providers.ThreadSafeSingleton(make_cipher, settings, keyring)
    blind_index = providers.ThreadSafeSingleton(lambda k: HmacBlindIndex(k.blind_index_key), keyring)
    hasher = providers.ThreadSafeSingleton(make_hasher, settings)
    decoy_hash = providers.ThreadSafeSingleton(make_decoy_hash, hasher)
    tokens = providers.ThreadSafeSingleton(lambda k, c: JwtTokenService(k.jwt_secret, c), keyring, clock)
    phones = providers.ThreadSafeSingleton(LibPhoneNumbers)
    code_sets = providers.ThreadSafeSingleton(LibraryCodeSets)

    persistence = providers.Callable(lambda s: s.persistence, settings)
    memory_store = providers.ThreadSafeSingleton(InMemoryStore)
    engine = providers.ThreadSafeSingleton(lambda s: create_engine_for(s.database_url), settings)
    # Committed events go to the in-process relay after commit, or to procrastinate jobs in the same transaction.
    after_commit = providers.ThreadSafeSingleton(after_commit_hook, settings, __self__)
    enqueue = providers.ThreadSafeSingleton(enqueue_hook, settings, __self__)
    uow = providers.Selector(
        persistence,
        memory=providers.Factory(InMemoryUnitOfWork, memory_store, after_commit=after_commit),
        sqlalchemy=providers.Factory(
            SqlAlchemyUnitOfWork,
            engine,
            cipher=cipher,
            blind_index=blind_index,
            enqueue=enqueue,
            after_commit=after_commit,
        ),
    )
    idempotency = providers.Selector(
        persistence,
        memory=providers.ThreadSafeSingleton(InMemoryIdempotencyStore),
        sqlalchemy=providers.ThreadSafeSingleton(SqlAlchemyIdempotencyStore, engine, cipher=cipher),
    )
    counters = providers.Selector(
        providers.Callable(lambda s: "redis" if s.redis_url else "memory", settings),
        memory=providers.ThreadSafeSingleton(InMemoryCounterStore, clock),
        redis=providers.ThreadSafeSingleton(lambda s: RedisCounterStore.from_url(s.redis_url), settings),
    )
    reset_notifier = providers.Selector(
        providers.Callable(lambda s: s.notifier, settings),
        console=providers.ThreadSafeSingleton(lambda s: ConsoleResetNotifier(s.http.public_url), settings),
        memory=providers.ThreadSafeSingleton(InMemoryResetNotifier),
    )
    readiness = providers.ThreadSafeSingleton(readiness_check, settings)
    audit_trail = providers.ThreadSafeSingleton(AuditTrail, uow=uow.provider, clock=clock)

    issuer = providers.ThreadSafeSingleton(SessionIssuer, tokens=tokens, clock=clock, policy=auth_policy)
    login = providers.ThreadSafeSingleton(
        LoginHandler,
        uow=uow.provider,
        hasher=hasher,
        counters=counters,
        issuer=issuer,
        clock=clock,
        policy=auth_policy,
        decoy_hash=decoy_hash,
        audit=audit_trail,
    )
    refresh = providers.ThreadSafeSingleton(
        RefreshHandler, uow=uow.provider, issuer=issuer, clock=clock, policy=auth_policy, audit=audit_trail
    )
    logout = providers.ThreadSafeSingleton(LogoutHandler, uow=uow.provider, clock=clock, audit=audit_trail)
    authenticate = providers.ThreadSafeSingleton(
        AuthenticateHandler, uow=uow.provider, tokens=tokens, clock=clock, policy=auth_policy, audit=audit_trail
    )
    change_password = providers.ThreadSafeSingleton(
        ChangePasswordHandler,
        uow=uow.provider,
        hasher=hasher,
        counters=counters,
        clock=clock,
        policy=auth_policy,
        audit=audit_trail,
    )
    forgot_password = providers.ThreadSafeSingleton(
        ForgotPasswordHandler,
        uow=uow.provider,
        notifier=reset_notifier,
        counters=counters,
        clock=clock,
        policy=auth_policy,
        audit=audit_trail,
    )
    reset_password = providers.ThreadSafeSingleton(
        ResetPasswordHandler,
        uow=uow.provider,
        hasher=hasher,
        counters=counters,
        clock=clock,
        policy=auth_policy,
        audit=audit_trail,
    )

    create_user = providers.ThreadSafeSingleton(
        CreateUserHandler, uow=uow.provider, hasher=hasher, clock=clock, policy=auth_policy, audit=audit_trail
    )
    get_user = providers.ThreadSafeSingleton(GetUserHandler, uow=uow.provider, audit=audit_trail)
    find_user_by_email = providers.ThreadSafeSingleton(FindUserByEmailHandler, uow=uow.provider, audit=audit_trail)
    list_users = providers.ThreadSafeSingleton(ListUsersHandler, uow=uow.provider, audit=audit_trail)
    update_user = providers.ThreadSafeSingleton(UpdateUserHandler, uow=uow.provider, clock=clock, audit=audit_trail)
    deactivate_user = providers.ThreadSafeSingleton(
        DeactivateUserHandler, uow=uow.provider, clock=clock, audit=audit_trail
    )
    set_permissions = providers.ThreadSafeSingleton(
        SetPermissionsHandler, uow=uow.provider, clock=clock, audit=audit_trail
    )
    assign_member = providers.ThreadSafeSingleton(AssignMemberHandler, uow=uow.provider, clock=clock, audit=audit_trail)
    assignment_history = providers.ThreadSafeSingleton(AssignmentHistoryHandler, uow=uow.provider, audit=audit_trail)
    hierarchy = providers.ThreadSafeSingleton(HierarchyHandler, uow=uow.provider, audit=audit_trail)

    create_practice = providers.ThreadSafeSingleton(
        CreatePracticeHandler, uow=uow.provider, phones=phones, clock=clock, audit=audit_trail
    )
    get_practice = providers.ThreadSafeSingleton(GetPracticeHandler, uow=uow.provider, audit=audit_trail)
    list_practices = providers.ThreadSafeSingleton(ListPracticesHandler, uow=uow.provider, audit=audit_trail)
    update_practice = providers.ThreadSafeSingleton(
        UpdatePracticeHandler, uow=uow.provider, phones=phones, clock=clock, audit=audit_trail
    )

    create_patient = providers.ThreadSafeSingleton(
        CreatePatientHandler, uow=uow.provider, phones=phones, clock=clock, audit=audit_trail
    )
    get_patient = providers.ThreadSafeSingleton(GetPatientHandler, uow=uow.provider, audit=audit_trail)
    update_patient = providers.ThreadSafeSingleton(
        UpdatePatientHandler, uow=uow.provider, phones=phones, clock=clock, audit=audit_trail
    )
    archive_patient = providers.ThreadSafeSingleton(
        ArchivePatientHandler, uow=uow.provider, clock=clock, audit=audit_trail
    )
    list_patients = providers.ThreadSafeSingleton(ListPatientsHandler, uow=uow.provider, audit=audit_trail)
    search_patients = providers.ThreadSafeSingleton(SearchPatientsHandler, uow=uow.provider, audit=audit_trail)

    create_ivr = providers.ThreadSafeSingleton(
        CreateIvrHandler, uow=uow.provider, codes=code_sets, clock=clock, audit=audit_trail
    )
    update_ivr = providers.ThreadSafeSingleton(
        UpdateIvrHandler, uow=uow.provider, codes=code_sets, clock=clock, audit=audit_trail
    )
    get_ivr = providers.ThreadSafeSingleton(GetIvrHandler, uow=uow.provider, audit=audit_trail)
    list_ivrs = providers.ThreadSafeSingleton(ListIvrsHandler, uow=uow.provider, audit=audit_trail)
    ivr_history = providers.ThreadSafeSingleton(IvrHistoryHandler, uow=uow.provider, audit=audit_trail)
    act_on_ivr = providers.ThreadSafeSingleton(
        ActOnIvrHandler,
        uow=uow.provider,
        clock=clock,
        audit=audit_trail,
        required_document_kinds=providers.Callable(lambda s: s.documents.ivr_required_kinds, settings),
    )
    expire_lapsed_ivrs = providers.ThreadSafeSingleton(
        ExpireLapsedIvrsHandler, uow=uow.provider, act=act_on_ivr, clock=clock
    )
    ivr_queue = providers.ThreadSafeSingleton(IvrQueueHandler, uow=uow.provider, clock=clock, audit=audit_trail)
    assign_reviewer = providers.ThreadSafeSingleton(
        AssignReviewerHandler, uow=uow.provider, clock=clock, audit=audit_trail
    )
    bulk_approve_ivrs = providers.ThreadSafeSingleton(
        BulkApproveHandler,
        act=act_on_ivr,
        audit=audit_trail,
        parallel_items=providers.Callable(lambda s: 8 if s.database_url.startswith("postgresql") else 1, settings),
    )
    create_ivr_template = providers.ThreadSafeSingleton(
        CreateTemplateHandler, uow=uow.provider, codes=code_sets, clock=clock, audit=audit_trail
    )
    update_ivr_template = providers.ThreadSafeSingleton(
        UpdateTemplateHandler, uow=uow.provider, codes=code_sets, clock=clock, audit=audit_trail
    )
    delete_ivr_template = providers.ThreadSafeSingleton(DeleteTemplateHandler, uow=uow.provider, audit=audit_trail)
    get_ivr_template = providers.ThreadSafeSingleton(GetTemplateHandler, uow=uow.provider, audit=audit_trail)
    list_ivr_templates = providers.ThreadSafeSingleton(ListTemplatesHandler, uow=uow.provider, audit=audit_trail)
    justification_library = providers.ThreadSafeSingleton(
        JustificationLibrary, uow=uow.provider, clock=clock, audit=audit_trail
    )
    ivr_printer = providers.ThreadSafeSingleton(make_ivr_printer)
    print_ivr = providers.ThreadSafeSingleton(
        PrintIvrHandler, uow=uow.provider, printer=ivr_printer, clock=clock, audit=audit_trail
    )

    rekeyer = providers.ThreadSafeSingleton(SqlAlchemyRekeyer, engine, cipher=cipher, blind_index=blind_index)

    # The audit chain: its key and anchors live outside the database.
    audit_key = providers.ThreadSafeSingleton(load_audit_key, settings)
    anchor_log = providers.Selector(
        persistence,
        memory=providers.ThreadSafeSingleton(InMemoryAnchorLog),
        sqlalchemy=providers.ThreadSafeSingleton(lambda s: FileAnchorLog(s.audit.anchor_file), settings),
    )
    audit_sealer = providers.ThreadSafeSingleton(
        AuditSealer, uow=uow.provider, key=audit_key, anchors=anchor_log, clock=clock
    )
    audit_verifier = providers.ThreadSafeSingleton(AuditVerifier, uow=uow.provider, key=audit_key, anchors=anchor_log)
    search_audit_log = providers.ThreadSafeSingleton(SearchAuditLogHandler, uow=uow.provider, audit=audit_trail)
    access_report = providers.ThreadSafeSingleton(AccessReportHandler, uow=uow.provider, audit=audit_trail)

    # Patient documents: bytes encrypted in a folder (memory for the memory profile), metadata in the unit of work.
    document_store = providers.Selector(
        persistence,
        memory=providers.ThreadSafeSingleton(InMemoryDocumentStore),
        sqlalchemy=providers.ThreadSafeSingleton(make_document_store, settings, keyring, cipher),
    )
    upload_document = providers.ThreadSafeSingleton(
        UploadDocumentHandler,
        uow=uow.provider,
        store=document_store,
        audit=audit_trail,
        clock=clock,
        max_bytes=providers.Callable(lambda s: s.documents.max_bytes, settings),
    )
    list_documents = providers.ThreadSafeSingleton(ListDocumentsHandler, uow=uow.provider, audit=audit_trail)
    get_document = providers.ThreadSafeSingleton(
        GetDocumentHandler, uow=uow.provider, store=document_store, audit=audit_trail
    )
    # IVR documents: the same store and limit as patient documents, metadata in the IVR unit of work.
    upload_ivr_document = providers.ThreadSafeSingleton(
        UploadIvrDocumentHandler,
        uow=uow.provider,
        store=document_store,
        audit=audit_trail,
        clock=clock,
        max_bytes=providers.Callable(lambda s: s.documents.max_bytes, settings),
    )
    list_ivr_documents = providers.ThreadSafeSingleton(ListIvrDocumentsHandler, uow=uow.provider, audit=audit_trail)
    get_ivr_document = providers.ThreadSafeSingleton(
        GetIvrDocumentHandler, uow=uow.provider, store=document_store, audit=audit_trail
    )

    # Events: handlers, the dispatcher and sequencer, and the two ways of running them (see docs/operations.md).
    deliver_notifications = providers.ThreadSafeSingleton(
        DeliverNotificationsHandler, uow=uow.provider, clock=clock, audit=audit_trail
    )
    event_dispatcher = providers.ThreadSafeSingleton(
        EventDispatcher,
        uow=uow.provider,
        subscriptions=providers.ThreadSafeSingleton(subscriptions, deliver_notifications),
        clock=clock,
    )
    event_sequencer = providers.ThreadSafeSingleton(EventSequencer, uow=uow.provider)
    event_relay = providers.ThreadSafeSingleton(
        lambda d: InProcessDispatcher(d.dispatch, lambda older_than: d.replay_all(older_than=older_than)),
        event_dispatcher,
    )
    job_queue = providers.ThreadSafeSingleton(ProcrastinateJobQueue)
    list_notifications = providers.ThreadSafeSingleton(ListNotificationsHandler, uow=uow.provider, audit=audit_trail)
    mark_notification_read = providers.ThreadSafeSingleton(
        MarkNotificationReadHandler, uow=uow.provider, clock=clock, audit=audit_trail
    )
    mark_all_notifications_read = providers.ThreadSafeSingleton(
        MarkAllNotificationsReadHandler, uow=uow.provider, clock=clock, audit=audit_trail
    )


def build_container(settings: Settings, **overrides: Any) -> Container:
    """Build the container for these settings; keyword overrides replace providers by name (tests)."""
    container = Container(settings=settings)
    for name, value in overrides.items():
        getattr(container, name).override(providers.Object(value))
    return container

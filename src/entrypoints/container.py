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

    __self__ = providers.Self()
    settings = providers.Dependency(instance_of=Settings)
    auth_policy = providers.Callable(lambda s: s.auth, settings)
    clock = providers.Singleton(SystemClock)

    keyring = providers.Singleton(load_keyring, settings)
    cipher = providers.Singleton(make_cipher, settings, keyring)
    blind_index = providers.Singleton(lambda k: HmacBlindIndex(k.blind_index_key), keyring)
    hasher = providers.Singleton(make_hasher, settings)
    decoy_hash = providers.Singleton(make_decoy_hash, hasher)
    tokens = providers.Singleton(lambda k, c: JwtTokenService(k.jwt_secret, c), keyring, clock)
    phones = providers.Singleton(LibPhoneNumbers)
    code_sets = providers.Singleton(LibraryCodeSets)

    persistence = providers.Callable(lambda s: s.persistence, settings)
    memory_store = providers.Singleton(InMemoryStore)
    engine = providers.Singleton(lambda s: create_engine_for(s.database_url), settings)
    # Committed events go to the in-process relay after commit, or to procrastinate jobs in the same transaction.
    after_commit = providers.Singleton(after_commit_hook, settings, __self__)
    enqueue = providers.Singleton(enqueue_hook, settings, __self__)
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
        memory=providers.Singleton(InMemoryIdempotencyStore),
        sqlalchemy=providers.Singleton(SqlAlchemyIdempotencyStore, engine, cipher=cipher),
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
    audit_trail = providers.Singleton(AuditTrail, uow=uow.provider, clock=clock)

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
        audit=audit_trail,
    )
    refresh = providers.Singleton(
        RefreshHandler, uow=uow.provider, issuer=issuer, clock=clock, policy=auth_policy, audit=audit_trail
    )
    logout = providers.Singleton(LogoutHandler, uow=uow.provider, clock=clock, audit=audit_trail)
    authenticate = providers.Singleton(
        AuthenticateHandler, uow=uow.provider, tokens=tokens, clock=clock, policy=auth_policy, audit=audit_trail
    )
    change_password = providers.Singleton(
        ChangePasswordHandler,
        uow=uow.provider,
        hasher=hasher,
        counters=counters,
        clock=clock,
        policy=auth_policy,
        audit=audit_trail,
    )
    forgot_password = providers.Singleton(
        ForgotPasswordHandler,
        uow=uow.provider,
        notifier=reset_notifier,
        counters=counters,
        clock=clock,
        policy=auth_policy,
        audit=audit_trail,
    )
    reset_password = providers.Singleton(
        ResetPasswordHandler,
        uow=uow.provider,
        hasher=hasher,
        counters=counters,
        clock=clock,
        policy=auth_policy,
        audit=audit_trail,
    )

    create_user = providers.Singleton(
        CreateUserHandler, uow=uow.provider, hasher=hasher, clock=clock, policy=auth_policy, audit=audit_trail
    )
    get_user = providers.Singleton(GetUserHandler, uow=uow.provider, audit=audit_trail)
    find_user_by_email = providers.Singleton(FindUserByEmailHandler, uow=uow.provider, audit=audit_trail)
    list_users = providers.Singleton(ListUsersHandler, uow=uow.provider, audit=audit_trail)
    update_user = providers.Singleton(UpdateUserHandler, uow=uow.provider, clock=clock, audit=audit_trail)
    deactivate_user = providers.Singleton(DeactivateUserHandler, uow=uow.provider, clock=clock, audit=audit_trail)
    set_permissions = providers.Singleton(SetPermissionsHandler, uow=uow.provider, clock=clock, audit=audit_trail)
    assign_member = providers.Singleton(AssignMemberHandler, uow=uow.provider, clock=clock, audit=audit_trail)
    assignment_history = providers.Singleton(AssignmentHistoryHandler, uow=uow.provider, audit=audit_trail)
    hierarchy = providers.Singleton(HierarchyHandler, uow=uow.provider, audit=audit_trail)

    create_practice = providers.Singleton(
        CreatePracticeHandler, uow=uow.provider, phones=phones, clock=clock, audit=audit_trail
    )
    get_practice = providers.Singleton(GetPracticeHandler, uow=uow.provider, audit=audit_trail)
    list_practices = providers.Singleton(ListPracticesHandler, uow=uow.provider, audit=audit_trail)
    update_practice = providers.Singleton(
        UpdatePracticeHandler, uow=uow.provider, phones=phones, clock=clock, audit=audit_trail
    )

    create_patient = providers.Singleton(
        CreatePatientHandler, uow=uow.provider, phones=phones, clock=clock, audit=audit_trail
    )
    get_patient = providers.Singleton(GetPatientHandler, uow=uow.provider, audit=audit_trail)
    update_patient = providers.Singleton(
        UpdatePatientHandler, uow=uow.provider, phones=phones, clock=clock, audit=audit_trail
    )
    archive_patient = providers.Singleton(ArchivePatientHandler, uow=uow.provider, clock=clock, audit=audit_trail)
    list_patients = providers.Singleton(ListPatientsHandler, uow=uow.provider, audit=audit_trail)
    search_patients = providers.Singleton(SearchPatientsHandler, uow=uow.provider, audit=audit_trail)

    create_ivr = providers.Singleton(
        CreateIvrHandler, uow=uow.provider, codes=code_sets, clock=clock, audit=audit_trail
    )
    update_ivr = providers.Singleton(
        UpdateIvrHandler, uow=uow.provider, codes=code_sets, clock=clock, audit=audit_trail
    )
    get_ivr = providers.Singleton(GetIvrHandler, uow=uow.provider, audit=audit_trail)
    list_ivrs = providers.Singleton(ListIvrsHandler, uow=uow.provider, audit=audit_trail)
    ivr_history = providers.Singleton(IvrHistoryHandler, uow=uow.provider, audit=audit_trail)
    act_on_ivr = providers.Singleton(
        ActOnIvrHandler,
        uow=uow.provider,
        clock=clock,
        audit=audit_trail,
        required_document_kinds=providers.Callable(lambda s: s.documents.ivr_required_kinds, settings),
    )
    expire_lapsed_ivrs = providers.Singleton(ExpireLapsedIvrsHandler, uow=uow.provider, act=act_on_ivr, clock=clock)
    ivr_queue = providers.Singleton(IvrQueueHandler, uow=uow.provider, clock=clock, audit=audit_trail)
    assign_reviewer = providers.Singleton(AssignReviewerHandler, uow=uow.provider, clock=clock, audit=audit_trail)
    bulk_approve_ivrs = providers.Singleton(
        BulkApproveHandler,
        act=act_on_ivr,
        audit=audit_trail,
        parallel_items=providers.Callable(lambda s: 8 if s.database_url.startswith("postgresql") else 1, settings),
    )
    create_ivr_template = providers.Singleton(
        CreateTemplateHandler, uow=uow.provider, codes=code_sets, clock=clock, audit=audit_trail
    )
    update_ivr_template = providers.Singleton(
        UpdateTemplateHandler, uow=uow.provider, codes=code_sets, clock=clock, audit=audit_trail
    )
    delete_ivr_template = providers.Singleton(DeleteTemplateHandler, uow=uow.provider, audit=audit_trail)
    get_ivr_template = providers.Singleton(GetTemplateHandler, uow=uow.provider, audit=audit_trail)
    list_ivr_templates = providers.Singleton(ListTemplatesHandler, uow=uow.provider, audit=audit_trail)
    justification_library = providers.Singleton(JustificationLibrary, uow=uow.provider, clock=clock, audit=audit_trail)
    ivr_printer = providers.Singleton(make_ivr_printer)
    print_ivr = providers.Singleton(
        PrintIvrHandler, uow=uow.provider, printer=ivr_printer, clock=clock, audit=audit_trail
    )

    rekeyer = providers.Singleton(SqlAlchemyRekeyer, engine, cipher=cipher, blind_index=blind_index)

    # The audit chain: its key and anchors live outside the database.
    audit_key = providers.Singleton(load_audit_key, settings)
    anchor_log = providers.Selector(
        persistence,
        memory=providers.Singleton(InMemoryAnchorLog),
        sqlalchemy=providers.Singleton(lambda s: FileAnchorLog(s.audit.anchor_file), settings),
    )
    audit_sealer = providers.Singleton(AuditSealer, uow=uow.provider, key=audit_key, anchors=anchor_log, clock=clock)
    audit_verifier = providers.Singleton(AuditVerifier, uow=uow.provider, key=audit_key, anchors=anchor_log)
    search_audit_log = providers.Singleton(SearchAuditLogHandler, uow=uow.provider, audit=audit_trail)
    access_report = providers.Singleton(AccessReportHandler, uow=uow.provider, audit=audit_trail)

    # Patient documents: bytes encrypted in a folder (memory for the memory profile), metadata in the unit of work.
    document_store = providers.Selector(
        persistence,
        memory=providers.Singleton(InMemoryDocumentStore),
        sqlalchemy=providers.Singleton(make_document_store, settings, keyring, cipher),
    )
    upload_document = providers.Singleton(
        UploadDocumentHandler,
        uow=uow.provider,
        store=document_store,
        audit=audit_trail,
        clock=clock,
        max_bytes=providers.Callable(lambda s: s.documents.max_bytes, settings),
    )
    list_documents = providers.Singleton(ListDocumentsHandler, uow=uow.provider, audit=audit_trail)
    get_document = providers.Singleton(GetDocumentHandler, uow=uow.provider, store=document_store, audit=audit_trail)
    # IVR documents: the same store and limit as patient documents, metadata in the IVR unit of work.
    upload_ivr_document = providers.Singleton(
        UploadIvrDocumentHandler,
        uow=uow.provider,
        store=document_store,
        audit=audit_trail,
        clock=clock,
        max_bytes=providers.Callable(lambda s: s.documents.max_bytes, settings),
    )
    list_ivr_documents = providers.Singleton(ListIvrDocumentsHandler, uow=uow.provider, audit=audit_trail)
    get_ivr_document = providers.Singleton(
        GetIvrDocumentHandler, uow=uow.provider, store=document_store, audit=audit_trail
    )

    # Events: handlers, the dispatcher and sequencer, and the two ways of running them (see docs/operations.md).
    deliver_notifications = providers.Singleton(
        DeliverNotificationsHandler, uow=uow.provider, clock=clock, audit=audit_trail
    )
    event_dispatcher = providers.Singleton(
        EventDispatcher,
        uow=uow.provider,
        subscriptions=providers.Singleton(subscriptions, deliver_notifications),
        clock=clock,
    )
    event_sequencer = providers.Singleton(EventSequencer, uow=uow.provider)
    event_relay = providers.Singleton(
        lambda d: InProcessDispatcher(d.dispatch, lambda older_than: d.replay_all(older_than=older_than)),
        event_dispatcher,
    )
    job_queue = providers.Singleton(ProcrastinateJobQueue)
    list_notifications = providers.Singleton(ListNotificationsHandler, uow=uow.provider, audit=audit_trail)
    mark_notification_read = providers.Singleton(
        MarkNotificationReadHandler, uow=uow.provider, clock=clock, audit=audit_trail
    )
    mark_all_notifications_read = providers.Singleton(
        MarkAllNotificationsReadHandler, uow=uow.provider, clock=clock, audit=audit_trail
    )


def build_container(settings: Settings, **overrides: Any) -> Container:
    """Build the container for these settings; keyword overrides replace providers by name (tests)."""
    container = Container(settings=settings)
    for name, value in overrides.items():
        getattr(container, name).override(providers.Object(value))
    return container

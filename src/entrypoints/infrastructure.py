"""How the container builds its infrastructure from settings: keys, the field cipher, the document folder,
password hashing and the readiness check."""

from __future__ import annotations

from collections.abc import Callable

import structlog

from adapters.crypto import (
    FAST_FOR_TESTS,
    OWASP,
    AesGcmFieldCipher,
    Argon2PasswordHasher,
    KeyFileFieldCipher,
    KeyMaterialError,
    KeyRing,
    audit_key_from_settings,
    keyring_from_settings,
    load_or_create_audit_key,
    load_or_create_key_file,
)
from adapters.sqlalchemy.migrate import is_current
from adapters.storage import LocalFolderDocumentStore
from entrypoints.settings import Settings
from ivr_domain.ivr.printing import IvrPrinter
from ivr_domain.shared.ports import PasswordHasher

_log = structlog.get_logger("ivr.keys")


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
        raise KeyMaterialError(
            "production requires IVR_CIPHER_KEYS, IVR_CIPHER_CURRENT_KEY, IVR_BLIND_INDEX_KEY, IVR_JWT_SECRET"
        )
    ring, created = load_or_create_key_file(keys.keys_file)
    if created:
        # Said on the console once, so an operator knows the file must be kept and backed up.
        _log.warning("generated new encryption and signing keys: keep the file safe", path=str(keys.keys_file))
    return ring


def load_audit_key(settings: Settings) -> bytes:
    """Read the audit chain's key from the environment in production, or from (or into) its own file."""
    if settings.audit.key:
        return audit_key_from_settings(settings.audit.key)
    if settings.environment == "production":
        raise KeyMaterialError("production requires IVR_AUDIT_KEY (kept apart from the database and its backups)")
    key, created = load_or_create_audit_key(settings.audit.key_file)
    if created:
        _log.warning("generated the audit chain's key: keep it apart from backups", path=str(settings.audit.key_file))
    return key


def make_cipher(settings: Settings, ring: KeyRing) -> AesGcmFieldCipher | KeyFileFieldCipher:
    """Return the field cipher: over the key file it follows rotations; keys from settings change on restart."""
    if settings.keys.from_environment:
        return AesGcmFieldCipher(ring.cipher_keys, ring.current_cipher_key_id)
    return KeyFileFieldCipher(settings.keys.keys_file, ring)


def make_document_store(
    settings: Settings, ring: KeyRing, cipher: AesGcmFieldCipher | KeyFileFieldCipher
) -> LocalFolderDocumentStore:
    """Return the document folder; over the key file it follows rotations as the field cipher does."""
    follow = cipher.keys if isinstance(cipher, KeyFileFieldCipher) else None
    return LocalFolderDocumentStore(
        settings.documents.directory, ring.cipher_keys, ring.current_cipher_key_id, follow=follow
    )


def make_hasher(settings: Settings) -> Argon2PasswordHasher:
    """Return the password hasher with the parameters the settings select."""
    return Argon2PasswordHasher(FAST_FOR_TESTS if settings.password_hashing == "fast" else OWASP)


def make_decoy_hash(hasher: PasswordHasher) -> str:
    """Return the hash a login for an unknown email is checked against, so both cost the same."""
    return hasher.hash("a password nobody has, hashed so unknown emails cost as much as known ones")


def make_ivr_printer() -> IvrPrinter:
    """Build the PDF printer on first use: fpdf2 and its font tools take about half a second to import, which every
    command and every server worker would otherwise pay at start-up for a route few requests take."""
    from adapters.pdf import FpdfIvrPrinter  # noqa: PLC0415 - imported when the first IVR is printed, see above

    return FpdfIvrPrinter()


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

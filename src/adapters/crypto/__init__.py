"""Crypto adapters: AES-GCM field cipher, HMAC blind index, argon2id passwords, JWT tokens and key material."""

from adapters.crypto.blind_index import HmacBlindIndex, normalise
from adapters.crypto.field_cipher import AesGcmFieldCipher, CipherError
from adapters.crypto.keys import (
    KeyMaterialError,
    KeyRing,
    add_cipher_key,
    audit_key_from_settings,
    generate_keyring,
    keyring_from_settings,
    load_or_create_audit_key,
    load_or_create_key_file,
)
from adapters.crypto.passwords import FAST_FOR_TESTS, OWASP, Argon2Parameters, Argon2PasswordHasher
from adapters.crypto.reloading_cipher import KeyFileFieldCipher
from adapters.crypto.tokens import JwtTokenService

__all__ = [
    "FAST_FOR_TESTS",
    "OWASP",
    "AesGcmFieldCipher",
    "Argon2Parameters",
    "Argon2PasswordHasher",
    "CipherError",
    "HmacBlindIndex",
    "JwtTokenService",
    "KeyFileFieldCipher",
    "KeyMaterialError",
    "KeyRing",
    "add_cipher_key",
    "audit_key_from_settings",
    "generate_keyring",
    "keyring_from_settings",
    "load_or_create_audit_key",
    "load_or_create_key_file",
    "normalise",
]

"""DocumentStore contract, for the memory store and the encrypted local folder; then the folder's own guarantees."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

from adapters.memory import InMemoryDocumentStore
from adapters.storage import LocalFolderDocumentStore
from ivr_domain.shared.documents import PDF, DocumentUnreadable, StoredContent
from ivr_domain.shared.errors import TooLarge
from ivr_domain.shared.ids import DocumentId, new_id

CHUNK = 64  # small chunks in tests, so a few hundred bytes cross many chunk boundaries
KEYS = {"k1": os.urandom(32), "k2": os.urandom(32)}
LIMIT = 1 << 30
EDGE_SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 7 * CHUNK + 3]


class Kit:
    """Makes stores of one kind over one shared location, with a chosen current key."""

    def __init__(self, kind: str, root: Path) -> None:
        self.kind = kind
        self.root = root
        self._blobs: dict[DocumentId, tuple[str, bytes]] = {}

    def make(self, current: str = "k1", *, chunk_bytes: int = CHUNK) -> Any:
        if self.kind == "memory":
            return InMemoryDocumentStore(current, self._blobs)
        return LocalFolderDocumentStore(self.root, KEYS, current, chunk_bytes=chunk_bytes)

    def leftovers(self) -> list[Path]:
        """Every file under the folder (nothing for memory, whose state the store's own reads show)."""
        return sorted(p for p in self.root.rglob("*") if p.is_file()) if self.kind == "folder" else []


@pytest.fixture(params=["memory", "folder"])
def kit(request: pytest.FixtureRequest, tmp_path: Path) -> Kit:
    return Kit(request.param, tmp_path / "documents")


def new_document() -> DocumentId:
    return DocumentId(new_id())


def pieces(data: bytes, cuts: list[int]) -> Iterator[bytes]:
    """Split data at the given piece sizes (cycled), as a network would."""
    start, i = 0, 0
    while start < len(data):
        size = cuts[i % len(cuts)] if cuts else len(data)
        yield data[start : start + size]
        start, i = start + size, i + 1


def stored(result: Any) -> StoredContent:
    assert isinstance(result, Success), result
    content: StoredContent = result.unwrap()
    return content


@st.composite
def payloads(draw: st.DrawFn) -> bytes:
    size = draw(st.one_of(st.sampled_from(EDGE_SIZES), st.integers(0, 12 * CHUNK)))
    return draw(st.binary(min_size=size, max_size=size))


@given(data=payloads(), cuts=st.lists(st.integers(1, 3 * CHUNK), max_size=5))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_bytes_round_trip_with_size_and_digest(kit: Kit, data: bytes, cuts: list[int]) -> None:
    store = kit.make()
    document_id = new_document()
    content = stored(store.put(document_id, pieces(data, cuts), max_bytes=LIMIT))
    assert content.size == len(data)
    assert content.sha256 == hashlib.sha256(data).hexdigest()
    assert b"".join(store.open(document_id)) == data


def test_a_large_document_round_trips_with_the_default_chunk_size(kit: Kit) -> None:
    store = kit.make(chunk_bytes=64 * 1024)
    data = os.urandom(3 * 1024 * 1024 + 17)
    document_id = new_document()
    stored(store.put(document_id, pieces(data, [100_000, 7]), max_bytes=LIMIT))
    read = list(store.open(document_id))
    assert b"".join(read) == data
    assert max(len(chunk) for chunk in read) <= 64 * 1024  # streamed in chunks, never as one buffer


def test_the_content_type_is_sniffed_from_the_bytes(kit: Kit) -> None:
    store = kit.make()
    assert stored(store.put(new_document(), [b"%PD", b"F-1.7\n rest"], max_bytes=LIMIT)).content_type == PDF
    assert stored(store.put(new_document(), [b"hello, world"], max_bytes=LIMIT)).content_type is None


def test_a_document_at_the_limit_is_kept_one_byte_more_is_refused_and_nothing_left(kit: Kit) -> None:
    store = kit.make()
    exact, over = new_document(), new_document()
    assert stored(store.put(exact, [b"x" * 150, b"y" * 50], max_bytes=200)).size == 200
    before = kit.leftovers()
    assert store.put(over, pieces(b"z" * 201, [64]), max_bytes=200) == Failure(
        TooLarge(limit=200, detail="the file is larger than the limit of 200 bytes")
    )
    assert kit.leftovers() == before
    with pytest.raises(DocumentUnreadable):
        list(store.open(over))


def test_a_failing_source_propagates_and_leaves_nothing(kit: Kit) -> None:
    store = kit.make()
    document_id = new_document()

    def broken() -> Iterator[bytes]:
        yield b"%PDF-" + b"a" * 300
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        store.put(document_id, broken(), max_bytes=LIMIT)
    assert kit.leftovers() == []
    with pytest.raises(DocumentUnreadable):
        list(store.open(document_id))


def test_unknown_and_deleted_documents_are_unreadable_and_ids_are_never_reused(kit: Kit) -> None:
    store = kit.make()
    document_id = new_document()
    with pytest.raises(DocumentUnreadable):
        list(store.open(document_id))
    stored(store.put(document_id, [b"first"], max_bytes=LIMIT))
    with pytest.raises(FileExistsError):
        store.put(document_id, [b"second"], max_bytes=LIMIT)
    assert b"".join(store.open(document_id)) == b"first"
    store.delete(document_id)
    store.delete(document_id)
    with pytest.raises(DocumentUnreadable):
        list(store.open(document_id))
    assert kit.leftovers() == []


def test_reencryption_under_a_new_key_reads_back_the_same_bytes(kit: Kit) -> None:
    old = kit.make("k1")
    documents = {new_document(): os.urandom(size) for size in (0, 1, CHUNK, 5 * CHUNK + 9)}
    for document_id, data in documents.items():
        stored(old.put(document_id, pieces(data, [50]), max_bytes=LIMIT))
    new = kit.make("k2")
    assert new.current_key_id == "k2"
    assert new.key_ids() == {"k1": len(documents)}
    assert set(new.documents_under("k1")) == set(documents)
    for document_id in documents:
        assert new.reencrypt(document_id) is True
        assert new.reencrypt(document_id) is False
    assert new.key_ids() == {"k2": len(documents)}
    assert list(new.documents_under("k1")) == []
    for document_id, data in documents.items():
        assert b"".join(new.open(document_id)) == data
    assert [p.name for p in kit.leftovers() if p.name.endswith(".tmp")] == []


# The folder's own guarantees: encryption at rest, and loud failure on any change to a file.

CANARY = b"%PDF-1.7 Ada Lovelace born 1815-12-10 member 1EG4TE5MK73 "


@pytest.fixture
def folder(tmp_path: Path) -> LocalFolderDocumentStore:
    return LocalFolderDocumentStore(tmp_path / "documents", KEYS, "k1", chunk_bytes=CHUNK)


def _saved(folder: LocalFolderDocumentStore, data: bytes) -> tuple[DocumentId, Path]:
    document_id = new_document()
    stored(folder.put(document_id, pieces(data, [33]), max_bytes=LIMIT))
    return document_id, folder.path_of(document_id)


def _unreadable(folder: LocalFolderDocumentStore, document_id: DocumentId) -> bool:
    try:
        list(folder.open(document_id))
    except DocumentUnreadable:
        return True
    return False


def test_plaintext_never_reaches_the_folder_and_files_are_private(folder: LocalFolderDocumentStore) -> None:
    document_id, path = _saved(folder, CANARY * 40)
    for item in folder.root.rglob("*"):
        if item.is_file():
            raw = item.read_bytes()
            assert CANARY[9:30] not in raw
            assert b"Lovelace" not in raw
            assert stat.S_IMODE(item.stat().st_mode) == 0o600
        else:
            assert stat.S_IMODE(item.stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE(folder.root.stat().st_mode) & 0o077 == 0
    assert path.name == f"{document_id}.ivrdoc"


def test_changing_any_single_byte_of_a_file_fails_the_read(folder: LocalFolderDocumentStore) -> None:
    document_id, path = _saved(folder, CANARY * 3)  # header and four records, one partial
    original = path.read_bytes()
    for position in range(len(original)):
        tampered = bytearray(original)
        tampered[position] ^= 0x01
        path.write_bytes(bytes(tampered))
        assert _unreadable(folder, document_id), f"a change at byte {position} went unnoticed"
    path.write_bytes(original)
    assert b"".join(folder.open(document_id)) == CANARY * 3


def _records(folder: LocalFolderDocumentStore, raw: bytes) -> tuple[bytes, list[bytes]]:
    header_length = 4 + 1 + 4 + 1 + len("k1")
    size = 12 + CHUNK + 16
    body = raw[header_length:]
    return raw[:header_length], [body[i : i + size] for i in range(0, len(body), size)]


def test_swapped_dropped_or_appended_records_fail_the_read(folder: LocalFolderDocumentStore) -> None:
    document_id, path = _saved(folder, os.urandom(4 * CHUNK + 10))
    header, records = _records(folder, path.read_bytes())
    assert len(records) == 5
    variants = {
        "swapped": [records[1], records[0], *records[2:]],
        "last dropped": records[:-1],
        "last two dropped": records[:-2],
        "first dropped": records[1:],
        "last repeated": [*records, records[-1]],
        "full record appended": [*records[:-1], records[0], records[-1]],
    }
    for name, changed in variants.items():
        path.write_bytes(header + b"".join(changed))
        assert _unreadable(folder, document_id), name


def test_every_truncation_fails_the_read(folder: LocalFolderDocumentStore) -> None:
    document_id, path = _saved(folder, os.urandom(2 * CHUNK + 5))
    original = path.read_bytes()
    for length in range(len(original)):
        path.write_bytes(original[:length])
        assert _unreadable(folder, document_id), f"truncation to {length} bytes went unnoticed"


def test_another_documents_file_copied_over_fails_the_read(folder: LocalFolderDocumentStore) -> None:
    victim, victim_path = _saved(folder, os.urandom(3 * CHUNK))
    _, other_path = _saved(folder, os.urandom(3 * CHUNK))
    victim_path.write_bytes(other_path.read_bytes())
    assert _unreadable(folder, victim)


def test_a_document_under_a_key_that_is_not_loaded_is_unreadable(tmp_path: Path) -> None:
    old = LocalFolderDocumentStore(tmp_path, KEYS, "k1", chunk_bytes=CHUNK)
    document_id = new_document()
    stored(old.put(document_id, [b"%PDF-1.7 x"], max_bytes=LIMIT))
    only_new = LocalFolderDocumentStore(tmp_path, {"k2": KEYS["k2"]}, "k2", chunk_bytes=CHUNK)
    with pytest.raises(DocumentUnreadable, match="not loaded"):
        list(only_new.open(document_id))
    assert LocalFolderDocumentStore(tmp_path, KEYS, "k2").reencrypt(document_id) is True
    assert b"".join(only_new.open(document_id)) == b"%PDF-1.7 x"


def test_a_tampered_document_is_never_reencrypted(folder: LocalFolderDocumentStore) -> None:
    document_id, path = _saved(folder, os.urandom(3 * CHUNK))
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0x80
    path.write_bytes(bytes(raw))
    rotating = LocalFolderDocumentStore(folder.root, KEYS, "k2", chunk_bytes=CHUNK)
    with pytest.raises(DocumentUnreadable):
        rotating.reencrypt(document_id)
    assert path.read_bytes() == bytes(raw)  # left as it was, for investigation
    assert [p.name for p in folder.root.rglob("*.tmp")] == []


@pytest.mark.parametrize(
    ("keys", "current"),
    [({"k1": b"short"}, "k1"), ({"k1": os.urandom(32)}, "k9"), ({"": os.urandom(32)}, "")],
)
def test_bad_keys_are_refused_at_construction(tmp_path: Path, keys: dict[str, bytes], current: str) -> None:
    with pytest.raises(ValueError, match="key"):
        LocalFolderDocumentStore(tmp_path, keys, current)

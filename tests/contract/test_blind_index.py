"""The BlindIndex contract, against the HMAC-SHA256 adapter."""

from __future__ import annotations

import os
import string
import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from adapters.crypto import HmacBlindIndex

INDEX = HmacBlindIndex(os.urandom(32))
ASCII_WORD = st.text(alphabet=string.ascii_letters + string.digits + "-'", min_size=1, max_size=12)
COMBINING = st.sampled_from([chr(c) for c in range(0x0300, 0x0370) if unicodedata.combining(chr(c))])
WHITESPACE = st.text(alphabet=" \t\n\r\u00a0\u2003", min_size=1, max_size=4)


def digest(value: str, purpose: str = "patients.last_name") -> str:
    return INDEX.digest(value, purpose=purpose)


@given(text=st.text(alphabet=string.ascii_letters + string.digits + " .-'"))
def test_equal_under_case_changes(text: str) -> None:
    assert digest(text) == digest(text.upper()) == digest(text.lower()) == digest(text.swapcase())


@given(letters=st.lists(st.tuples(st.sampled_from(string.ascii_letters), st.lists(COMBINING, max_size=2))))
def test_equal_with_accents_composed_decomposed_or_dropped(letters: list[tuple[str, list[str]]]) -> None:
    decomposed = "".join(base + "".join(marks) for base, marks in letters)
    plain = "".join(base for base, _ in letters)
    composed = unicodedata.normalize("NFC", decomposed)
    assert digest(composed) == digest(decomposed) == digest(plain)


@given(words=st.lists(ASCII_WORD, min_size=1, max_size=5), gaps=st.lists(WHITESPACE, min_size=6, max_size=6))
def test_equal_under_extra_spacing(words: list[str], gaps: list[str]) -> None:
    spaced = gaps[0] + "".join(word + gap for word, gap in zip(words, gaps[1:], strict=False))
    assert digest(spaced) == digest(" ".join(words))


def test_examples() -> None:
    assert digest("José  SMITH ") == digest("jose smith")
    assert digest("\uff2d\u00fcller") == digest("muller")
    assert digest("jose smith") != digest("josesmith")
    assert len(digest("x")) == 64
    assert set(digest("x")) <= set(string.hexdigits.lower())


@given(value=st.text(), first=st.text(), second=st.text())
def test_different_purposes_give_different_digests(value: str, first: str, second: str) -> None:
    assume(first != second)
    assert digest(value, first) != digest(value, second)


@given(value=st.text())
def test_different_keys_give_different_digests(value: str) -> None:
    other = HmacBlindIndex(os.urandom(32))
    assert other.digest(value, purpose="p") != INDEX.digest(value, purpose="p")


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        HmacBlindIndex(b"short")

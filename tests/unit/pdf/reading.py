"""Reading a rendered PDF back in tests: its text, page by page, with pypdf."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pdf_pages(content: bytes) -> list[str]:
    """Return the text of every page, whitespace runs folded to one space."""
    assert content.startswith(b"%PDF-"), content[:16]
    reader = PdfReader(io.BytesIO(content))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def pdf_text(content: bytes) -> str:
    """Return the text of the whole document, pages joined by a space."""
    return " ".join(pdf_pages(content))

"""The printable IVR rendered as a PDF with fpdf2."""

from adapters.pdf.fonts import CORE, FontChoice, find_unicode_font
from adapters.pdf.printer import MEDIA_TYPE, FpdfIvrPrinter

__all__ = ["CORE", "MEDIA_TYPE", "FontChoice", "FpdfIvrPrinter", "find_unicode_font"]

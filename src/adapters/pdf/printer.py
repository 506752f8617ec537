"""The printable IVR as a PDF (fpdf2): US Letter, labelled rows per section, wrapped text, numbered pages."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import TTFFont

from adapters.pdf.fonts import FontChoice, find_unicode_font
from adapters.pdf.glyphs import GlyphFilter, latin1
from adapters.pdf.sections import Section, sections
from ivr_domain.ivr.printing import PrintableIvr

MEDIA_TYPE = "application/pdf"
TITLE = "Insurance Verification Request"
LABEL_WIDTH = 52.0  # mm: the longest label ("Out-of-pocket remaining") in bold 9 pt, with room to spare
LINE = 5.0  # mm per line of 9 pt text
BOTTOM_MARGIN = 18.0  # mm: room for the footer
KEEP_WITH_HEADING = 2 * LINE + 8  # a heading never ends a page alone: it needs its first rows below it


class _Document(FPDF):
    """An fpdf2 document whose footer names the IVR (its reference holds no PHI) and numbers the pages."""

    def __init__(self, reference: str, family: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="letter")
        self._reference = reference
        self._family = family

    def footer(self) -> None:
        """Print the reference, the confidentiality notice and `page n of m` at the foot of every page."""
        self.set_y(-12)
        self.set_font(self._family, "", 8)
        notice = f"{self._reference} - confidential: protected health information - page {self.page_no()} of {{nb}}"
        self.cell(0, 5, notice, align="C")


class FpdfIvrPrinter:
    """Renders a printable IVR with fpdf2, in DejaVu Sans when installed, else the Latin-1 core font."""

    media_type = MEDIA_TYPE

    def __init__(self, font: FontChoice | None = None) -> None:
        """Print with the given font, or find DejaVu Sans on this machine."""
        self.font = font if font is not None else find_unicode_font()

    def render(self, sheet: PrintableIvr) -> bytes:
        """Return the PDF of one IVR; any text renders, page breaks fall where the content needs them."""
        pdf = _Document(sheet.ivr.reference, self.font.family)
        text = self._fonts(pdf)
        # Metadata says what the document is, never whom it is about; a fixed date makes renders reproducible.
        pdf.set_title(f"{TITLE} {sheet.ivr.reference}")
        pdf.set_creator("IVR platform")
        pdf.set_creation_date(sheet.printed_at)
        pdf.set_auto_page_break(auto=True, margin=BOTTOM_MARGIN)
        pdf.add_page()
        pdf.set_font(self.font.family, "B", 15)
        pdf.cell(0, 9, TITLE, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(self.font.family, "", 10)
        pdf.cell(0, 6, sheet.ivr.reference, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
        for section in sections(sheet):
            self._section(pdf, section, text)
        return bytes(pdf.output())

    def _fonts(self, pdf: FPDF) -> GlyphFilter:
        """Load the font faces into the document; return the filter of what they can draw."""
        if self.font.files is None:
            return GlyphFilter(latin1)
        regular, bold = self.font.files
        pdf.add_font(self.font.family, "", str(regular))
        pdf.add_font(self.font.family, "B", str(bold))
        # A character either face lacks is rewritten, so fpdf2 never logs a missing glyph (which would be PHI).
        faces = [frozenset(font.cmap) for font in pdf.fonts.values() if isinstance(font, TTFFont)]
        drawn = frozenset.intersection(*faces)
        return GlyphFilter(lambda ch: ord(ch) in drawn)

    def _section(self, pdf: FPDF, section: Section, text: GlyphFilter) -> None:
        family = self.font.family
        if pdf.will_page_break(KEEP_WITH_HEADING):
            pdf.add_page()
        pdf.set_font(family, "B", 11)
        pdf.set_fill_color(230, 230, 230)
        pdf.cell(0, 7, text(section.title), fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
        for label, value in section.rows:
            pdf.set_font(family, "B", 9)
            pdf.cell(LABEL_WIDTH, LINE, text(label))
            pdf.set_font(family, "", 9)
            pdf.multi_cell(0, LINE, text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(family, "", 9)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, LINE, text(paragraph), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)

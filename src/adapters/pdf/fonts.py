"""Which fonts a printout uses: DejaVu Sans from the operating system's font package when it is installed, else
the PDF core font Helvetica (Latin-1 only, so other scripts are spelled in Latin letters or shown as "?")."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from attrs import frozen

# Where Debian and Ubuntu (fonts-dejavu-core), Fedora (dejavu-sans-fonts), Alpine (font-dejavu) and Arch
# (ttf-dejavu) install DejaVu Sans, which covers Latin, Greek, Cyrillic, Armenian, Georgian and Hebrew.
FONT_DIRECTORIES = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)
REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"


@frozen(kw_only=True)
class FontChoice:
    """A font family to print with: a TrueType pair (regular, bold), or the core font when `files` is None."""

    family: str
    files: tuple[Path, Path] | None = None

    @property
    def is_core(self) -> bool:
        """Tell whether this is a PDF core font, which needs no file and draws Latin-1 only."""
        return self.files is None


CORE = FontChoice(family="helvetica")


def find_unicode_font(directories: Sequence[Path] = FONT_DIRECTORIES) -> FontChoice:
    """Return DejaVu Sans from the first directory holding both its faces, else the core font."""
    for directory in directories:
        regular, bold = directory / REGULAR, directory / BOLD
        if regular.is_file() and bold.is_file():
            return FontChoice(family="dejavu", files=(regular, bold))
    return CORE

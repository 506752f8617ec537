"""ICD-10-CM from simple-icd-10-cm and the CMS place-of-service codes."""

from __future__ import annotations

import warnings
from types import ModuleType

ICD10CM_VERSION = "ICD-10-CM FY2026 (April 1, 2026 update)"

# CMS Place of Service Code Set (as of the August 2024 addition of 66, PACE center);
# unassigned codes (00, 28-30, 35-40, 43-48, 59, 63-64, 67-70, 73-80, 82-98) are excluded.
PLACE_OF_SERVICE_CODES: frozenset[str] = frozenset(
    [f"{n:02d}" for n in range(1, 28)]
    + ["31", "32", "33", "34", "41", "42"]
    + [f"{n:02d}" for n in range(49, 59)]
    + ["60", "61", "62", "65", "66", "71", "72", "81", "99"]
)


class LibraryCodeSets:
    """Code-set validity from maintained sources; ICD-10-CM data is loaded on first use."""

    @property
    def icd10cm_version(self) -> str:
        """Return the ICD-10-CM release used, recorded with what it validated."""
        return ICD10CM_VERSION

    def is_billable_icd10cm(self, code: str) -> bool:
        """Tell whether an ICD-10-CM code exists and is a leaf (has no children)."""
        icd = _icd10cm()
        candidate = code.strip().upper()
        if not candidate or not icd.is_valid_item(candidate):
            return False
        # Chapters and blocks are valid items too, but never codes one can bill.
        is_code = icd.is_category_or_subcategory(candidate) or icd.is_extended_subcategory(candidate)
        return bool(is_code and icd.is_leaf(candidate))

    def load(self) -> None:
        """Load the ICD-10-CM data now (about 1.5 s), so that the first IVR a server validates does not wait."""
        _icd10cm()

    def is_place_of_service(self, code: str) -> bool:
        """Tell whether a two-digit code is a CMS place-of-service code."""
        return code in PLACE_OF_SERVICE_CODES


def _icd10cm() -> ModuleType:
    # Imported lazily: loading the code set takes about 1.5 s, which start-up and most tests need not pay.
    with warnings.catch_warnings():
        # The library reads its data through importlib.resources' legacy API, deprecated in 3.11.
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm  # noqa: PLC0415

    module: ModuleType = simple_icd_10_cm
    return module

"""The printable IVR: what a printout shows, and the ports that render it and name the practice on it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from attrs import frozen

from ivr_domain.ivr.model import Ivr, PatientSnapshot
from ivr_domain.ivr.ports import IvrUnitOfWork
from ivr_domain.shared.ids import PracticeId
from ivr_domain.shared.values import Address


@frozen(kw_only=True)
class PracticeCard:
    """The practice as a printout names it: its name and, once filled in, the physician's NPI, address and phone."""

    name: str
    npi: str | None = None
    address: Address | None = None
    phone: str | None = None


@frozen(kw_only=True)
class PrintableIvr:
    """Everything one printout shows: the full IVR, its patient, its practice, and when it was printed.

    `patient` is the snapshot taken at the latest submit; a draft has none yet, so it shows the patient
    as they are now and `patient_is_current` says so on the page.
    """

    ivr: Ivr
    patient: PatientSnapshot | None
    patient_is_current: bool
    practice: PracticeCard | None
    printed_at: datetime


class IvrPrinter(Protocol):
    """Lays an IVR out as a document to send or sign."""

    media_type: str

    def render(self, sheet: PrintableIvr) -> bytes:
        """Return the document; any text the platform accepts renders, whatever its script."""
        ...


class IvrPractices(Protocol):
    """The practices IVRs belong to, as the IVR context needs them (it never imports the identity context)."""

    def card(self, practice_id: PracticeId) -> PracticeCard | None:
        """Return what a printout says of a practice, or None when it does not exist."""
        ...


class PrintingUnitOfWork(IvrUnitOfWork, Protocol):
    """The IVR unit of work, plus the practices a printout names."""

    ivr_practices: IvrPractices

    def __enter__(self) -> PrintingUnitOfWork:
        """Begin the transaction."""
        ...

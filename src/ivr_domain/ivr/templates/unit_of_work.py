"""The transaction template and justification use cases run in: the IVR unit of work, plus which practices exist."""

from __future__ import annotations

from typing import Protocol

from ivr_domain.ivr.ports import IvrUnitOfWork
from ivr_domain.shared.ids import PracticeId


class KnownPractices(Protocol):
    """Which practices exist, as far as templates need to know (the identity context stays unimported)."""

    def exists(self, practice_id: PracticeId) -> bool:
        """Tell whether a practice with this id exists."""
        ...


class TemplatesUnitOfWork(IvrUnitOfWork, Protocol):
    """The IVR unit of work and the practice directory an admin's practice template is checked against."""

    practice_directory: KnownPractices

    def __enter__(self) -> TemplatesUnitOfWork:
        """Begin the transaction."""
        ...

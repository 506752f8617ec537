"""The practices a printed IVR names, answered from the practices table."""

from __future__ import annotations

from sqlalchemy import Connection

from adapters.sqlalchemy.repositories.identity import SqlAlchemyPracticeRepository
from ivr_domain.ivr.printing import PracticeCard
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.ids import PracticeId
from ivr_domain.workflows.practice_cards import card_of

# The IVR naming the practice was found within the caller's scope; verification staff reach IVRs, not practices.
_ANY = Scope(everything=True)


class SqlAlchemyIvrPractices:
    """Practices as the IVR context sees them, on the unit of work's transaction."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._practices = SqlAlchemyPracticeRepository(connection)

    def card(self, practice_id: PracticeId) -> PracticeCard | None:
        """Return what a printout says of a practice, or None when it does not exist."""
        practice = self._practices.get(practice_id, scope=_ANY)
        return card_of(practice) if practice is not None else None

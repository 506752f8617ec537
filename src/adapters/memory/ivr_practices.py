"""The practices a printed IVR names, answered from the memory store's practices."""

from __future__ import annotations

from adapters.memory.workspace import Workspace
from ivr_domain.ivr.printing import PracticeCard
from ivr_domain.shared.ids import PracticeId
from ivr_domain.workflows.practice_cards import card_of


class InMemoryIvrPractices:
    """Practices as the IVR context sees them."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def card(self, practice_id: PracticeId) -> PracticeCard | None:
        """Return what a printout says of a practice; the IVR naming it was already found within scope."""
        practice = self._ws.practices.get(practice_id)
        return card_of(practice) if practice is not None else None

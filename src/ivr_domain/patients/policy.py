"""Who may read and change patients, and the projection each role sees."""

from __future__ import annotations

from ivr_domain.patients.model import MaskedPatient, Patient, PatientView
from ivr_domain.shared.actor import Actor, Permission, Projection


def may_read(actor: Actor) -> bool:
    """Tell whether the actor's role has any business with patients."""
    return actor.can(Permission.PATIENTS_READ)


def may_write(actor: Actor) -> bool:
    """Tell whether the actor may create, change and archive patients."""
    return actor.can(Permission.PATIENTS_WRITE)


def sees_full(actor: Actor) -> bool:
    """Tell whether the actor sees patients in full; everyone else sees them masked (and is read masked)."""
    return actor.projection is Projection.FULL


def project(actor: Actor, patient: Patient) -> PatientView:
    """Return what the actor may see of a patient: full, or masked for the sales hierarchy."""
    if sees_full(actor):
        return patient
    return MaskedPatient.of(patient)

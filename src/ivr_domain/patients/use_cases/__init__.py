"""Patient use cases: create, read, update, archive, list and search, scoped, projected and audited in the core."""

from ivr_domain.patients.use_cases._common import PATIENT_DETAILS, CreatePatientError, WritePatientError
from ivr_domain.patients.use_cases._reads import (
    SEARCH_LIMIT,
    GetPatientHandler,
    ListPatientsHandler,
    SearchPatientsHandler,
)
from ivr_domain.patients.use_cases._writes import (
    ArchivePatient,
    ArchivePatientHandler,
    CreatePatient,
    CreatePatientHandler,
    UpdatePatient,
    UpdatePatientHandler,
)

__all__ = [
    "PATIENT_DETAILS",
    "SEARCH_LIMIT",
    "ArchivePatient",
    "ArchivePatientHandler",
    "CreatePatient",
    "CreatePatientError",
    "CreatePatientHandler",
    "GetPatientHandler",
    "ListPatientsHandler",
    "SearchPatientsHandler",
    "UpdatePatient",
    "UpdatePatientHandler",
    "WritePatientError",
]

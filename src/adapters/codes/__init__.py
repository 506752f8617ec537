"""Code-set and phone-number adapters backed by maintained libraries."""

from adapters.codes.code_sets import ICD10CM_VERSION, PLACE_OF_SERVICE_CODES, LibraryCodeSets
from adapters.codes.phones import LibPhoneNumbers

__all__ = ["ICD10CM_VERSION", "PLACE_OF_SERVICE_CODES", "LibPhoneNumbers", "LibraryCodeSets"]

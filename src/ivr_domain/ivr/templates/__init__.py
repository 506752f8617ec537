"""IVR templates (a practice's or the platform's pre-filled forms) and the medical justification library.

Neither holds PHI: a template carries any IVR create field but the patient, and a justification is
library text. Import from the modules themselves; this package re-exports nothing, so `ivr.model` can
use the ids without a cycle.
"""

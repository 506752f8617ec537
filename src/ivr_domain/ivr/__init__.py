"""Insurance verification requests: content, validation, lifecycle, review and coverage."""

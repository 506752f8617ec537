"""In-app notifications: what a person is told when something about them happens (ids and statuses, no PHI)."""

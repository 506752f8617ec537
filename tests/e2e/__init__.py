"""End-to-end tests: the real HTTP app over SQLite and PostgreSQL."""

"""Identity's use cases: sessions, passwords, users, practices and the sales hierarchy."""

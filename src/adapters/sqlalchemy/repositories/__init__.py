"""Repositories over one connection's transaction."""

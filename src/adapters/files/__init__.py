"""Adapters over plain files outside the database: the audit chain's anchor log."""

from adapters.files.anchor_log import FileAnchorLog

__all__ = ["FileAnchorLog"]

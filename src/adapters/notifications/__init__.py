"""Delivery of messages to people: the console for the embedded default, memory for tests."""

from adapters.notifications.console import ConsoleResetNotifier
from adapters.notifications.memory import InMemoryResetNotifier, SentReset

__all__ = ["ConsoleResetNotifier", "InMemoryResetNotifier", "SentReset"]

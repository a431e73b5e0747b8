"""The old home of Limit, kept so `from sspr.limits.limit import Limit` still works."""

from . import Decision, Limit

__all__ = ["Decision", "Limit"]

"""OpenSSPR: self-service password change, reset and unlock."""

__version__ = "0.1.0"

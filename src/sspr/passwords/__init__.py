"""Passwords: the policy pipeline, breached-password checks and word lists."""

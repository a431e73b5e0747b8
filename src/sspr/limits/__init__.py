"""Rate limits shared by every worker process (see limit.py)."""

from django.dispatch import Signal

# Sent after a password was set by any path (change, reset, help desk), with user_id=...
# Whatever must not outlive the old password (remembered devices, pending codes) listens here.
password_changed = Signal()

"""Flows: multi-step journeys as explicit plans on one engine (engine.py), sharing one
verification step (verification.py). Sign-in, re-authentication for security info, and reset or
unlock are plan definitions (signin.py, reauth.py, reset.py)."""

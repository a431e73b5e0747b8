"""Verification methods: registering them (security info), sending and checking codes, and the
second step of sign-in. Each kind of method is one module in kinds/, found through KINDS."""

"""Getting back into an account: forgotten-password reset and account unlock."""

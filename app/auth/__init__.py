"""Users, their roles per committee, passwords and personal API tokens."""

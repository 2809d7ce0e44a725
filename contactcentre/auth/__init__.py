"""Who is asking: users, passwords, API tokens, roles, and the login pages."""

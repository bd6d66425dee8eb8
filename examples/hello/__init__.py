"""A minimal bot: greets every person on a list, once."""

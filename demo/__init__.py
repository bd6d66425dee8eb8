"""`rpa demo`: a seeded sandbox municipality, every enabled bot run once against it."""

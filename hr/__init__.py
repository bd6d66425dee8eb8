"""Domain shared by bots and the sandbox: CPR, calendar, money, formatting and PDFs."""

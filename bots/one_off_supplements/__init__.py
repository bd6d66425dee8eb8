"""one_off_supplements: engangsvederlag registered in payroll, one case or a spreadsheet at a time."""

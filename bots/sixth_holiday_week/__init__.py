"""sixth_holiday_week: payout of the 6th holiday week on request and at termination."""

"""termination_letters: resignation confirmations and the sweep of unpaid hourly staff."""

"""refund_claims: report and claim sickness and maternity refunds, and reconcile the decisions."""

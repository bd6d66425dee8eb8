"""document_journaling: certificates read from PDFs and scans, journaled, judged by people."""

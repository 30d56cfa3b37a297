"""Server-rendered pages in Italian: the landlord portal (and, later, the back office)."""

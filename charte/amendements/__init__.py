"""Amendments: proposals by a department to modify, add or delete a clause; revisions, co-signatures, comments."""

"""Pure text rules shared by amendments, consolidation and version comparison (no Flask, no database)."""

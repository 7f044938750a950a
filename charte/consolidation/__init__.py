"""Consolidation of adopted amendments into a draft, its validation and adoption as a new version."""

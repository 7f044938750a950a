"""Templates (modèles), charters and their immutable versions."""

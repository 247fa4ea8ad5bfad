"""Full-text search of the archive (Whoosh)."""

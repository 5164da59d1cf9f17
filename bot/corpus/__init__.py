"""The corpus layer: article files read, cleaned of page furniture and cut into passages."""

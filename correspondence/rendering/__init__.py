"""PDF rendering of Thai official letters and register books (no Django models)."""

"""Writes of the correspondence app, one module per concern, functions named by verb."""

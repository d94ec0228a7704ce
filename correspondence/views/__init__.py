"""Pages for officials (Django templates + htmx). Thin: forms in, services and selectors do the work."""

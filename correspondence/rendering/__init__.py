"""PDF rendering of Thai official letters and register books (no Django models)."""

import logging

# WeasyPrint logs every step (even parsing its own stylesheets at import) at INFO; for us a
# render is one step, and the command's stderr is reserved for the spec's problems.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

"""PDFs for tests that need a file to upload, attach or send (importable from every test folder: pytest puts
the folder of the top conftest.py on the import path)."""
import io


def blank_pdf(build=None) -> bytes:
    """A one-page A4 PDF written by pypdf; ``build(writer)`` adds whatever the test needs."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if build:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

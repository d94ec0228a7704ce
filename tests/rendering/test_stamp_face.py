"""Receipt stamps and signature boxes use the letters' face at its scale. Asking for 'TH Sarabun New'
where it is not installed got Debian's synthetic alias (Laksaman under a 0.66 font matrix), which
WeasyPrint drew squeezed with the dots of พ.ย. and ๑๘.๔๕ น. lost."""
import datetime as dt
import io

import pdfplumber

from correspondence.rendering import fonts
from signatures import appearance


def _chars(pdf: bytes):
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return doc.pages[0].chars


def test_the_receipt_stamp_is_set_in_the_letters_face_at_its_scale():
    pdf = appearance.receipt_stamp_pdf("สำนักเลขาธิการคณะรัฐมนตรี", "12",
                                       dt.datetime(2026, 11, 29, 11, 45, tzinfo=dt.timezone.utc), 170, 70)
    chars = _chars(pdf)
    family = fonts.face()[0].replace(" ", "")
    assert all(family in c["fontname"].replace(" ", "") for c in chars if c["text"].strip())
    sizes = {round(c["size"], 2) for c in chars if c["text"].strip()}
    assert sizes == {fonts.size(12), fonts.size(12.5)}
    # The dots are drawn between the letters they separate, not on top of them.
    text = "".join(c["text"] for c in chars)
    assert "พ.ย." in text and "๑๘.๔๕" in text


def test_the_signature_box_sizes_follow_the_face():
    pdf = appearance.signature_appearance_pdf("นายดอน ปรมัตถ์วินัย", "รัฐมนตรีว่าการกระทรวงการต่างประเทศ",
                                              dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.timezone.utc), 200, 72)
    sizes = {round(c["size"], 2) for c in _chars(pdf) if c["text"].strip()}
    assert fonts.size(14) in sizes and 14 not in sizes

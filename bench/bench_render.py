"""Letter rendering benchmark (issue #4).

Prints the median warm render time (every pass: layout, cue pass, justification, PDF/A) of the
two-page reference letter and of a 20-page letter, the peak memory, and the ratio against
LibreOffice (Debian libreoffice-writer, headless) converting the same letter from a DOCX the
benchmark writes. Both warm: 20 letters in one process each, time per letter. For LibreOffice,
one conversion of 1 file and one of 21 files run in one soffice process each; the difference
over 20 is the warm time per letter (start-up and the first document excluded).

Run: .venv/bin/python bench/bench_render.py
"""

from __future__ import annotations

import copy
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from correspondence.rendering import fonts  # noqa: E402
from correspondence.rendering.pdf import letter_context, render_letter_pdf  # noqa: E402

N = 20
SPEC = json.loads((ROOT / "tests/rendering/fixtures/moi-2563.json").read_text(encoding="utf-8"))


def long_letter(pages: int = 20) -> dict:
    spec = copy.deepcopy(SPEC)
    paragraphs = spec["body"][:-1]
    body = []
    while len(body) < pages * 6.3:
        body += paragraphs
    spec["body"] = body + spec["body"][-1:]
    return spec


def warm_times(spec: dict, n: int = N) -> tuple[list[float], int]:
    render_letter_pdf(spec)  # warm-up: fonts, stylesheets, templates, word list
    times, pages = [], 0
    for _ in range(n):
        start = time.perf_counter()
        pdf = render_letter_pdf(spec)
        times.append(time.perf_counter() - start)
    import io

    import pypdf

    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return times, pages


# --- a DOCX of the same letter ----------------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _run(text, bold=False, color=None, size_pt=None):
    props = ""
    if bold:
        props += "<w:b/>"
    if color:
        props += f'<w:color w:val="{color}"/>'
    if size_pt:
        props += f'<w:sz w:val="{round(size_pt * 2)}"/><w:szCs w:val="{round(size_pt * 2)}"/>'
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _para(runs, jc="left", first_line_cm=0.0, left_cm=0.0, hanging_cm=0.0, before_pt=0, keep=False):
    ind = f'<w:ind w:left="{round(left_cm * 567)}"'
    ind += f' w:firstLine="{round(first_line_cm * 567)}"' if first_line_cm else ""
    ind += f' w:hanging="{round(hanging_cm * 567)}"' if hanging_cm else ""
    ind += "/>"
    keep_xml = "<w:keepNext/>" if keep else ""
    return (f'<w:p><w:pPr>{keep_xml}<w:spacing w:before="{before_pt * 20}" w:after="0" w:line="414" '
            f'w:lineRule="exact"/>{ind}<w:jc w:val="{jc}"/></w:pPr>{"".join(runs)}</w:p>')


def write_docx(spec: dict, path: Path) -> None:
    ctx = letter_context(spec)
    family, scale = fonts.face()
    size = 16 * scale
    p = []
    p.append(_para([_run(ctx["urgency_mark"], bold=True, color="E00000", size_pt=32 * scale)]))
    p.append(_para([_run(f"ที่ {ctx['number']}\t{ctx['issuer']['name']}")]))
    for line in ctx["issuer"]["address"]:
        p.append(_para([_run(line)], left_cm=9.5))
    p.append(_para([_run(ctx["date"])], left_cm=8, before_pt=3))
    p.append(_para([_run(f"เรื่อง  {ctx['subject']}")], jc="thaiDistribute", left_cm=0.95, hanging_cm=0.95,
                   before_pt=6))
    p.append(_para([_run(f"{ctx['salutation']} {ctx['recipient']}")], before_pt=6))
    for row in ctx["references"]:
        p.append(_para([_run(f"อ้างถึง  {row['text']}")], left_cm=1.2, hanging_cm=1.2, before_pt=6))
    for row in ctx["enclosures"]:
        p.append(_para([_run(f"สิ่งที่ส่งมาด้วย  {row['text']}")], left_cm=2.25, hanging_cm=2.25, before_pt=6))
    for i, para in enumerate(ctx["body"]):
        p.append(_para([_run(para["text"].replace("\u00a0", " "))], jc="thaiDistribute", first_line_cm=2.5,
                       before_pt=6, keep=i == len(ctx["body"]) - 1))
    p.append(_para([_run(ctx["closing"])], jc="center", left_cm=4, before_pt=6))
    p.append(_para([_run("")]))
    p.append(_para([_run("")]))
    p.append(_para([_run(ctx["signer"]["name_line"])], jc="center", left_cm=4))
    for line in ctx["signer"]["position"]:
        p.append(_para([_run(line)], jc="center", left_cm=4))
    for line in ctx["owner_unit"] + [f"โทร. {ctx['phone']}", f"โทรสาร {ctx['fax']}",
                                     f"ไปรษณีย์อิเล็กทรอนิกส์ {ctx['email']}"]:
        p.append(_para([_run(line)]))
    header = (f'<w:hdr {W}><w:p><w:pPr><w:jc w:val="center"/></w:pPr>{_run("- ")}'
              '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
              f'<w:r><w:fldChar w:fldCharType="end"/></w:r>{_run(" -")}</w:p></w:hdr>')
    sect = ('<w:sectPr><w:headerReference w:type="default" r:id="rIdH" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
            '<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1417" w:right="1134" w:bottom="1134" '
            'w:left="1701" w:header="709" w:footer="709" w:gutter="0"/><w:titlePg/></w:sectPr>')
    document = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{"".join(p)}{sect}</w:body></w:document>'
    styles = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {W}><w:docDefaults><w:rPrDefault><w:rPr>'
              f'<w:rFonts w:ascii="{family}" w:hAnsi="{family}" w:cs="{family}" w:eastAsia="{family}"/>'
              f'<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/><w:lang w:val="th-TH" w:bidi="th-TH"/>'
              '</w:rPr></w:rPrDefault></w:docDefaults></w:styles>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/_rels/document.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdH" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/></Relationships>')
        z.writestr("word/document.xml", document)
        z.writestr("word/styles.xml", styles)
        z.writestr("word/header1.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{header}')


def libreoffice_per_letter(spec: dict, n: int = N) -> tuple[float | None, int]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None, 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        profile = (tmp / "profile").as_uri()
        files = []
        for i in range(n + 1):
            f = tmp / f"letter{i:02d}.docx"
            write_docx(spec, f)
            files.append(str(f))

        def convert(paths, outdir):
            start = time.perf_counter()
            subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                            "--convert-to", 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"3"}}', "--outdir", str(outdir), *paths],
                           check=True, capture_output=True, timeout=600)
            return time.perf_counter() - start

        convert(files[:1], tmp / "warmup")  # creates the profile (first start is much slower)
        one = min(convert(files[:1], tmp / f"one{k}") for k in range(3))
        many = convert(files, tmp / "many")
        pdfs = sorted((tmp / "many").glob("*.pdf"))
        import pypdf

        pages = len(pypdf.PdfReader(pdfs[0]).pages)
        return (many - one) / n, pages


def main():
    times2, pages2 = warm_times(SPEC)
    long = long_letter(20)
    times20, pages20 = warm_times(long, n=5)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    med2, med20 = statistics.median(times2), statistics.median(times20)
    print(f"font: {fonts.face()[0]} (scale {fonts.face()[1]})")
    print(f"two-page reference letter ({pages2} pages): median {med2 * 1000:.0f} ms per letter "
          f"(warm, {N} letters in one process; min {min(times2) * 1000:.0f}, max {max(times2) * 1000:.0f})")
    print(f"20-page letter ({pages20} pages): median {med20 * 1000:.0f} ms per letter "
          f"({med20 / pages20 * 1000:.0f} ms a page)")
    print(f"peak memory (this process): {peak_mb:.0f} MB")
    lo, lo_pages = libreoffice_per_letter(SPEC)
    if lo is None:
        print("LibreOffice: soffice not found (Debian libreoffice-writer-nogui); ratio not measured")
        return
    lo_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"LibreOffice DOCX→PDF, same letter ({lo_pages} pages): {lo * 1000:.0f} ms per letter "
          f"(warm: 21 files in one soffice process minus 1; peak {lo_peak:.0f} MB)")
    print(f"ratio portal / LibreOffice: {med2 / lo:.2f} (target ≤ 1.0)")


if __name__ == "__main__":
    main()

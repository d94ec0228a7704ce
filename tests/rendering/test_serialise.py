"""The letter's PDF objects are serialised once and their bytes reused for the file identifier:
the identifier must still be the MD5 of the objects as they are written in the file."""

import hashlib
import re
import zlib

import pytest

from correspondence.rendering.pdf import render_letter_pdf

from .conftest import load


def _xref(pdf: bytes):
    """The cross-reference stream: {object number: (1, offset) or (2, object stream)}, its own
    number and its dictionary."""
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))
    header = re.match(rb"(\d+) 0 obj\n<<(.*?)>>\nstream\n", pdf[start:], re.S)
    number, dictionary = int(header.group(1)), header.group(2)
    length = int(re.search(rb"/Length (\d+)", dictionary).group(1))
    body = start + header.end()
    rows = zlib.decompress(pdf[body:body + length])
    widths = [int(w) for w in re.search(rb"/W \[(\d+) (\d+) (\d+)\]", dictionary).groups()]
    size = sum(widths)
    entries = {}
    for n in range(len(rows) // size):
        row = rows[n * size:(n + 1) * size]
        kind = int.from_bytes(row[:widths[0]], "big")
        field = int.from_bytes(row[widths[0]:widths[0] + widths[1]], "big")
        if kind in (1, 2):
            entries[n] = (kind, field)
    return entries, number, dictionary


def _written_objects(pdf: bytes) -> dict[int, bytes]:
    """Every object's serialised data (what follows ``N 0 obj``), read back from the file."""
    entries, xref_number, _ = _xref(pdf)
    offsets = sorted(offset for kind, offset in entries.values() if kind == 1)
    objects = {}
    for number, (kind, offset) in entries.items():
        if kind == 1 and number != xref_number:
            end = next((o for o in offsets if o > offset), len(pdf))
            chunk = pdf[offset:end]
            header = f"{number} 0 obj\n".encode()
            assert chunk.startswith(header) and chunk.endswith(b"\nendobj\n")
            objects[number] = chunk[len(header):-len(b"\nendobj\n")]
    for number, (kind, stream_number) in entries.items():
        if kind == 2:
            stream = objects[stream_number]
            dictionary, _, rest = stream.partition(b"\nstream\n")
            first = int(re.search(rb"/First (\d+)", dictionary).group(1))
            data = zlib.decompress(rest[:-len(b"\nendstream")])
            pairs = [int(v) for v in data[:first].split()]
            starts = dict(zip(pairs[::2], pairs[1::2]))
            ordered = sorted(starts.values())
            start = starts[number]
            end = next((s for s in ordered if s > start), len(data) - first + 1) - 1
            objects[number] = data[first + start:first + end]
    return objects


@pytest.mark.parametrize("name", ["moi-2563", "mfa-2563"])
def test_file_identifier_is_the_md5_of_the_written_objects(name):
    pdf = render_letter_pdf(load(name))
    objects = _written_objects(pdf)
    _, xref_number, dictionary = _xref(pdf)
    assert sorted(objects) == list(range(1, xref_number))  # every object but the free one and the xref
    digest = hashlib.md5(b"".join(objects[n] for n in sorted(objects))).hexdigest().encode()
    assert re.search(rb"/ID \[\((\w+)\) \((\w+)\)\]", dictionary).groups() == (digest, digest)

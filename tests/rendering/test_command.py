"""manage.py render_letter: files, standard input, and one line per problem in Thai or English."""

import json
import subprocess
import sys
from pathlib import Path

import pypdf

from .conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "manage.py", "render_letter", *args], cwd=ROOT,
                          input=stdin, capture_output=True, timeout=120)


def test_renders_a_file(tmp_path):
    out = tmp_path / "moi.pdf"
    result = run(str(FIXTURES / "moi-2563.json"), "-o", str(out))
    assert result.returncode == 0, result.stderr.decode()
    assert len(pypdf.PdfReader(out).pages) == 2


def test_reads_standard_input(tmp_path):
    out = tmp_path / "mfa.pdf"
    result = run("-", "-o", str(out), stdin=(FIXTURES / "mfa-2563.json").read_bytes())
    assert result.returncode == 0, result.stderr.decode()
    assert out.read_bytes().startswith(b"%PDF-")


BAD = {"kind": "external", "urgency": "soon", "number": "กต ๑/๒", "date": "2020-02-30"}


def test_invalid_spec_one_line_per_problem_english(tmp_path):
    result = run("-", "-o", str(tmp_path / "x.pdf"), "--lang", "en", stdin=json.dumps(BAD).encode())
    assert result.returncode != 0
    lines = result.stderr.decode().strip().splitlines()
    assert "$.urgency: 'soon' is not one of normal | urgent | very_urgent | most_urgent" in lines
    assert any(line.startswith("$.date: ") for line in lines)
    assert "$.subject: required for kind 'external' (หนังสือภายนอก)" in lines
    assert len(lines) == 9  # date, urgency, and 7 missing elements
    assert not (tmp_path / "x.pdf").exists()


def test_invalid_spec_thai_messages(tmp_path):
    result = run("-", "-o", str(tmp_path / "x.pdf"), "--lang", "th", stdin=json.dumps(BAD).encode())
    assert result.returncode != 0
    lines = result.stderr.decode().strip().splitlines()
    assert "$.subject: หนังสือภายนอก ต้องมีเรื่อง" in lines


def test_a_missing_kind_is_one_line_asking_for_it_and_a_wrong_one_is_named(tmp_path):
    spec = json.loads((FIXTURES / "mfa-2563.json").read_text(encoding="utf-8"))
    spec.pop("kind")
    result = run("-", "-o", str(tmp_path / "x.pdf"), "--lang", "th", stdin=json.dumps(spec).encode())
    assert result.returncode == 2
    # Not every kind's elements (without a kind each kind's rule applies): only the kind is asked for.
    assert result.stderr.decode().strip().splitlines() == [
        "$.kind: กรุณาเลือกชนิดหนังสือ (kind) เป็นหนึ่งใน external | memo | stamped | order | regulation | bylaw | "
        "announcement | statement | news | certificate | minutes | record"]
    spec["kind"] = "letter"
    result = run("-", "-o", str(tmp_path / "x.pdf"), "--lang", "en", stdin=json.dumps(spec).encode())
    assert result.returncode == 2
    (line,) = result.stderr.decode().strip().splitlines()
    assert line.startswith("$.kind: unknown kind of letter 'letter': one of external | memo")


def test_broken_json(tmp_path):
    result = run("-", "-o", str(tmp_path / "x.pdf"), "--lang", "en", stdin=b"{\"kind\": ")
    assert result.returncode != 0
    assert result.stderr.decode().startswith("$: invalid JSON at line 1")


def test_warning_does_not_stop_unless_strict(tmp_path):
    spec = json.loads((FIXTURES / "mfa-2563.json").read_text())
    spec["closing"] = "ขอแสดงความนับถืออย่างยิ่ง"
    data = json.dumps(spec).encode()
    ok = run("-", "-o", str(tmp_path / "a.pdf"), "--lang", "en", stdin=data)
    assert ok.returncode == 0 and "warning $.closing" in ok.stderr.decode()
    strict = run("-", "-o", str(tmp_path / "b.pdf"), "--strict", stdin=data)
    assert strict.returncode != 0

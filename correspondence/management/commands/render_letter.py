"""``manage.py render_letter SPEC.json -o OUT.pdf``: render a letter spec without the database."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Render a letter spec (docs/letter-spec.md) to PDF/A-3u. '-' reads the spec from standard input."
    requires_system_checks = []  # no database, no app checks: usable on a bare machine

    def add_arguments(self, parser):
        parser.add_argument("spec", help="spec file (JSON), or - for standard input")
        parser.add_argument("-o", "--output", required=True, help="PDF file to write, or - for standard output")
        parser.add_argument("--garuda", help="the agency's Garuda artwork (PNG, JPEG or SVG); default: placeholder")
        parser.add_argument("--lang", choices=["th", "en"], default="th", help="language of error messages")
        parser.add_argument("--strict", action="store_true", help="treat warnings as errors")

    def handle(self, *args, **options):
        from correspondence.rendering.pdf import render_letter_pdf
        from correspondence.rendering.spec import LetterSpecError, load_spec, spec_warnings, validate_spec

        lang = options["lang"]
        source = options["spec"]
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            spec = load_spec(text)
        except LetterSpecError as exc:
            self._fail(exc.problems, lang)
        problems = validate_spec(spec)
        if problems:
            self._fail(problems, lang)
        warnings = spec_warnings(spec)
        for warning in warnings:
            self.stderr.write(("คำเตือน " if lang == "th" else "warning ") + warning.line(lang))
        if warnings and options["strict"]:
            sys.exit(1)
        pdf = render_letter_pdf(spec, garuda=options.get("garuda"), validate=False)
        if options["output"] == "-":
            sys.stdout.buffer.write(pdf)
        else:
            Path(options["output"]).write_bytes(pdf)

    def _fail(self, problems, lang):
        for problem in problems:
            self.stderr.write(problem.line(lang))
        sys.exit(2)

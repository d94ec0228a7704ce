"""Text of the search (ค้นหา): one normal form for documents and queries, Thai word segmentation, and
highlighting.

The index matches each word of the query as a *substring* of the document's normal form, so a word
inside a Thai compound (ราชการ in ส่วนราชการ) is found even though PyThaiNLP keeps the compound whole.
Segmenting the query splits words typed without spaces (ประชุมส่วนราชการ → ประชุม, ส่วนราชการ) so
each may occur anywhere in the document. The normal form has Arabic digits, lower case, one space
between words and the composed sara am, so "กต 0203/6381" finds "กต ๐๒๐๓/๖๓๘๑".
"""
from __future__ import annotations

import re
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from eoffice import thai

# Nikhahit + sara aa, as text extracted from some PDFs spells sara am (ำ).
_SARA_AM_SPLIT = "\u0e4d\u0e32"
_SPACES = re.compile(r"\s+")
_THAI = re.compile(r"[\u0e01-\u0e5b]")
# Segments made only of punctuation or marks say nothing about a document.
_WORDLIKE = re.compile(r"[0-9A-Za-z\u0e01-\u0e2e\u0e30-\u0e4e\u0e50-\u0e59]")
MAX_TOKENS = 8


def _one_to_one(text: str) -> str:
    """Digits and case folded character for character, so offsets stay those of the original."""
    out = thai.to_arabic_digits(text).replace(_SARA_AM_SPLIT, "\u0e33 ")
    lowered = out.lower()
    return lowered if len(lowered) == len(out) else out


def normalize(text: str) -> str:
    """The form stored in the index and compared against: Arabic digits, lower case, single spaces."""
    text = thai.to_arabic_digits(text or "").replace(_SARA_AM_SPLIT, "\u0e33")
    return _SPACES.sub(" ", text.lower()).strip()


def number_key(text: str) -> str:
    """A letter number with Arabic digits and no spaces: กต ๐๒๐๓/๖๓๘๑ → กต0203/6381."""
    return "".join(thai.to_arabic_digits(text or "").split()).lower()


@lru_cache(maxsize=1)
def _tokenizer():
    # newmm with PyThaiNLP's bundled dictionary: loads from the installed package, no network.
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


def segment(text: str) -> list[str]:
    """Thai words of ``text`` (PyThaiNLP newmm, offline); other scripts stay as typed."""
    out = []
    for part in (text or "").split():
        if _THAI.search(part):
            out.extend(t for t in _tokenizer()(part, engine="newmm", keep_whitespace=False) if t.strip())
        else:
            out.append(part)
    return out


def query_tokens(q: str) -> list[str]:
    """What the query asks for: each whitespace-separated part, Thai parts split into words. Every
    token must occur in a document (as a substring). Punctuation-only segments are dropped, and a
    token inside another token adds nothing."""
    tokens: list[str] = []
    for part in normalize(q).split():
        pieces = segment(part) if _THAI.search(part) else [part]
        for piece in pieces:
            if _WORDLIKE.search(piece) and piece not in tokens:
                tokens.append(piece)
    tokens = [t for t in tokens if not any(t != o and t in o for o in tokens)]
    return tokens[:MAX_TOKENS]


def _spans(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    folded = _one_to_one(text)
    spans = []
    for token in tokens:
        start = folded.find(token)
        while start >= 0:
            spans.append((start, start + len(token)))
            start = folded.find(token, start + 1)
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def highlight(text: str, tokens: list[str]) -> SafeString:
    """``text`` HTML-escaped, with every occurrence of a token wrapped in <mark> (escaped first, so a
    subject holding markup shows as text)."""
    text = text or ""
    out, pos = [], 0
    for a, b in _spans(text, tokens):
        out.append(escape(text[pos:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))


def snippet(text: str, tokens: list[str], width: int = 160) -> SafeString:
    """A window of ``text`` around its first match, highlighted; empty when nothing matches."""
    text = _SPACES.sub(" ", text or "").strip()
    spans = _spans(text, tokens)
    if not spans:
        return mark_safe("")
    first = spans[0][0]
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    window = text[start:end]
    return mark_safe(("…" if start else "") + highlight(window, tokens) + ("…" if end < len(text) else ""))

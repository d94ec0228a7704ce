"""Acceptance 1: every PAdES level from a PKCS#12 file and from a SoftHSM2 token validates as that level."""

import json

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signatures import pades, validation
from signatures.errors import WrongSecretError

from signatures.testing import TEST_PASSPHRASE as PASSPHRASE
from signatures.testing import SAMPLE_SIGNATURE_BOX

SIGNATURE_BOX = pades.SignatureBox(*SAMPLE_SIGNATURE_BOX)

LEVELS = [lvl.value for lvl in pades.PadesLevel]


@pytest.fixture(scope="module")
def signed(letter_pdf, p12, hsm_cred, softhsm, trust):
    """(source, level) -> signed bytes, produced once per module."""
    out = {}
    for level in LEVELS:
        out[("p12", level)] = pades.sign_letter(
            letter_pdf, p12["official"], PASSPHRASE, trust=trust, level=level, box=SIGNATURE_BOX,
            position="ผู้อำนวยการกองกลาง",
        )
        out[("pkcs11", level)] = pades.sign_letter(
            letter_pdf, hsm_cred("official"), softhsm.pin, trust=trust, level=level, box=SIGNATURE_BOX,
            position="ผู้อำนวยการกองกลาง",
        )
    return out


def _reader(pdf):
    from io import BytesIO

    return PdfFileReader(BytesIO(pdf), strict=False)


@pytest.mark.parametrize("source", ["p12", "pkcs11"])
@pytest.mark.parametrize("level", LEVELS)
def test_level_is_produced_and_validates_as_that_level(signed, policy, source, level, letter_pdf):
    pdf = signed[(source, level)]
    assert pdf[: len(letter_pdf)] == letter_pdf  # incremental: the rendered letter's bytes are untouched
    report = validation.validate_pdf(pdf, policy)
    json.dumps(report, ensure_ascii=False)  # storable as-is
    assert report["ok"], report["summary_th"]
    (sig,) = report["signatures"]
    assert sig["pades_level"] == level
    assert sig["status"] == "valid", sig
    assert sig["flags"] == []
    assert sig["signer"]["common_name"] == "นายสมชาย ใจดี"
    assert sig["chain"]["trusted"] and sig["chain"]["anchor"].startswith("Common Name: e-Office Test Root CA")
    assert sig["revocation"]["status"] == "good"
    assert sig["integrity"]["intact"] and sig["integrity"]["valid"]
    assert sig["ades"]["indication"] == "PASSED"
    assert (sig["timestamp"]["time"] is not None) == (level != "B-B")
    ts_count = len(report["document_timestamps"])
    assert ts_count == (1 if level == "B-LTA" else 0)
    assert "ถูกต้องและเชื่อถือได้" in sig["summary_th"]


@pytest.mark.parametrize("level", LEVELS)
def test_structure_matches_level(signed, level):
    r = _reader(signed[("p12", level)])
    has_dss = "/DSS" in r.root
    assert has_dss == (level in ("B-LT", "B-LTA"))
    assert len(r.embedded_timestamp_signatures) == (1 if level == "B-LTA" else 0)
    (emb,) = r.embedded_regular_signatures
    assert emb.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


def test_visible_signature_sits_in_the_given_box(signed):
    r = _reader(signed[("p12", "B-T")])
    page = r.root["/Pages"]["/Kids"][1].get_object()  # page 2
    widgets = [a.get_object() for a in page["/Annots"] if a.get_object().get("/FT") == "/Sig"]
    assert len(widgets) == 1
    rect = [float(v) for v in widgets[0]["/Rect"]]
    assert rect == pytest.approx([300, 420, 500, 492])
    assert "/N" in widgets[0]["/AP"]


@pytest.mark.parametrize("source", ["p12", "pkcs11"])
def test_pdfsig_and_openssl_agree(signed, pdfsig, openssl_verify, source):
    pdf = signed[(source, "B-T")]
    (entry,) = pdfsig(pdf)
    assert entry.signature_validation == "Signature is Valid."
    assert entry.sig_type == "ETSI.CAdES.detached"
    results = openssl_verify(pdf)
    assert len(results) == 1 and all(ok for ok, _ in results.values()), results


def test_b_lta_second_opinions_cover_the_archive_timestamp(signed, pdfsig, openssl_verify):
    pdf = signed[("pkcs11", "B-LTA")]
    results = openssl_verify(pdf)
    assert len(results) == 2  # the signature and the archive timestamp
    assert all(ok for ok, _ in results.values()), results
    entries = pdfsig(pdf)
    cms_entries = [e for e in entries if e.sig_type == "ETSI.CAdES.detached"]
    assert [e.signature_validation for e in cms_entries] == ["Signature is Valid."]


def test_further_approval_signature_keeps_first_valid(signed, p12, trust, policy, pdfsig):
    first = signed[("p12", "B-LTA")]
    second = pades.sign_letter(
        first, p12["seal-b"], PASSPHRASE, trust=trust, level="B-LTA",
        box=pades.SignatureBox(page=2, x=80, y=420, w=200, h=72), signer_name="ผู้อนุมัติ ทดสอบ",
    )
    report = validation.validate_pdf(second, policy)
    assert report["ok"], report
    assert [s["pades_level"] for s in report["signatures"]] == ["B-LTA", "B-LTA"]
    assert report["signatures"][0]["integrity"]["modification_level"] in ("LTA_UPDATES", "FORM_FILLING")
    assert all(e.signature_validation == "Signature is Valid." for e in pdfsig(second)
               if e.sig_type == "ETSI.CAdES.detached")


def test_wrong_pin_on_token(letter_pdf, hsm_cred, trust):
    with pytest.raises(WrongSecretError) as ei:
        pades.sign_letter(letter_pdf, hsm_cred("official"), "000000", trust=trust, level="B-B")
    assert "PIN" in str(ei.value)


def test_too_small_reservation_falls_back_to_estimate(letter_pdf, p12, trust, policy, monkeypatch):
    calls = []
    monkeypatch.setattr(pades, "_contents_reservation", lambda *a: calls.append(a) or 256)
    pdf = pades.sign_letter(letter_pdf, p12["official"], PASSPHRASE, trust=trust, level="B-T")
    assert calls  # the small reservation was really tried
    assert validation.validate_pdf(pdf, policy)["ok"]


def test_receipt_stamp_with_seal_on_token(letter_pdf, hsm_cred, softhsm, trust, policy):
    from datetime import datetime, timezone

    stamped = pades.add_receipt_stamp(
        letter_pdf, hsm_cred("seal-a"), softhsm.pin, trust=trust, level="B-LTA",
        agency_name="สำนักงานปลัดกระทรวงตัวอย่าง", receipt_no="99", received_at=datetime.now(timezone.utc),
    )
    report = validation.validate_pdf(stamped, policy)
    assert report["ok"] and report["signatures"][0]["signer"]["common_name"] == "สำนักงานปลัดกระทรวงตัวอย่าง"
    assert report["signatures"][0]["pades_level"] == "B-LTA"

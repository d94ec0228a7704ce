"""Acceptance 3-4 and the validation policy: tampering, revoked and expired signers, wrong secrets,
TSA unreachable, nothing secret in logs, offline validation."""

import logging
import socket
import traceback
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signatures import credentials, pades, validation
from signatures.errors import (
    CertificateExpiredError,
    CertificateRevokedError,
    TimestampUnavailableError,
    WrongSecretError,
)

from signatures.testing import TEST_PASSPHRASE as PASSPHRASE
from signatures.testing import SAMPLE_SIGNATURE_BOX

SIGNATURE_BOX = pades.SignatureBox(*SAMPLE_SIGNATURE_BOX)


@pytest.fixture(scope="module")
def signed_bt(letter_pdf, p12, trust):
    return pades.sign_letter(
        letter_pdf, p12["official"], PASSPHRASE, trust=trust, level="B-T", box=SIGNATURE_BOX
    )


def _sign_unchecked(pdf, cred, trust, level):
    """Sign without the pre-sign certificate check, to get files signed by a revoked/expired key
    (as an incoming letter from a careless sender would be)."""
    signer = credentials.open_pkcs12_signer(cred, PASSPHRASE)
    return pades._sign(
        pdf, signer, trust=trust, level=pades.PadesLevel(level), box=None, appearance_pdf=None,
        field_name="Signature1", name=None, reason=None, location=None, check_certificate=False,
    )


# -- tampering ----------------------------------------------------------------------------------

def _tamper_one_byte_in_content(pdf: bytes) -> bytes:
    """Change one byte inside the first signed range: a digit in page 1's text, in the
    uncompressed original so the file still parses (same length, xref offsets unchanged)."""
    r = PdfFileReader(BytesIO(pdf), strict=False)
    emb = r.embedded_regular_signatures[0]
    a, b, _, _ = (int(x) for x in emb.sig_object["/ByteRange"])
    # A byte inside the /Info or XMP would also do; pick one inside a stream body.
    i = pdf.index(b"stream\n", a) + len(b"stream\n") + 20
    assert a <= i < a + b
    data = bytearray(pdf)
    data[i] ^= 0x01
    return bytes(data)


def test_one_changed_byte_makes_validation_fail(signed_bt, policy, openssl_verify):
    tampered = _tamper_one_byte_in_content(signed_bt)
    assert sum(x != y for x, y in zip(tampered, signed_bt)) == 1
    report = validation.validate_pdf(tampered, policy)
    assert not report["ok"]
    (sig,) = report["signatures"]
    assert sig["status"] == "invalid"
    assert "broken" in sig["flags"]
    assert sig["integrity"]["intact"] is False
    assert sig["ades"]["subindication"] == "HASH_FAILURE"
    assert report["flagged"] == [sig["field"]]
    assert "ถูกแก้ไขหลังลงนาม" in sig["summary_th"]
    (ok, _), = openssl_verify(tampered).values()
    assert not ok  # second opinion agrees
    # and the untouched file still passes, so the failure is the byte, not the set-up
    assert validation.validate_pdf(signed_bt, policy)["ok"]


def test_content_change_in_later_revision_is_flagged(signed_bt, policy):
    """Drawing over the signed page in an incremental update: intact bytes, but not allowed."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(BytesIO(signed_bt))
    ref = w.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 100 100 50 50 re f"))
    w.add_stream_to_page(0, ref)
    out = BytesIO()
    w.write(out)
    report = validation.validate_pdf(out.getvalue(), policy)
    (sig,) = report["signatures"]
    assert sig["integrity"]["intact"] is True
    assert "modified" in sig["flags"] and sig["status"] == "invalid"
    # The letter is signed, not certified: no certifier's permissions were broken, and none is claimed.
    assert "docmdp_violation" not in sig["flags"] and "ผู้รับรองอนุญาต" not in sig["summary_th"]
    assert sig["integrity"]["modification_level"] == "OTHER"


# -- revoked and expired signers ----------------------------------------------------------------

@pytest.mark.parametrize("level", ["B-B", "B-T"])
def test_revoked_signer_cannot_sign_and_pdf_is_unchanged(letter_pdf, p12, trust, level):
    before = bytes(letter_pdf)
    with pytest.raises(CertificateRevokedError) as ei:
        pades.sign_letter(letter_pdf, p12["revoked"], PASSPHRASE, trust=trust, level=level)
    assert "เพิกถอน" in str(ei.value)
    assert letter_pdf == before


def test_revoked_signer_on_token_cannot_sign(letter_pdf, hsm_cred, softhsm, trust):
    with pytest.raises(CertificateRevokedError):
        pades.sign_letter(letter_pdf, hsm_cred("revoked"), softhsm.pin, trust=trust, level="B-LTA")


def test_expired_signer_cannot_sign(letter_pdf, p12, trust):
    with pytest.raises(CertificateExpiredError) as ei:
        pades.sign_letter(letter_pdf, p12["expired"], PASSPHRASE, trust=trust, level="B-LTA")
    assert "หมดอายุ" in str(ei.value)


@pytest.mark.parametrize("level", ["B-B", "B-T"])
def test_revoked_signer_is_reported(letter_pdf, p12, trust, policy, level):
    pdf = _sign_unchecked(letter_pdf, p12["revoked"], trust, level)
    report = validation.validate_pdf(pdf, policy)
    (sig,) = report["signatures"]
    assert not report["ok"]
    assert sig["revocation"]["status"] == "revoked"
    assert "revoked" in sig["flags"]
    assert sig["status"] != "valid"
    assert sig["integrity"]["intact"] is True  # the bytes are fine; the certificate is not
    assert "เพิกถอน" in sig["summary_th"]


@pytest.mark.parametrize("label", ["revoked", "expired"])
def test_timestamp_after_revocation_or_expiry_is_invalid(letter_pdf, p12, trust, policy, label):
    """Policy rule 5: the timestamp proves the signature was made with a dead certificate."""
    pdf = _sign_unchecked(letter_pdf, p12[label], trust, "B-T")
    (sig,) = validation.validate_pdf(pdf, policy)["signatures"]
    assert sig["status"] == "invalid"
    assert label in sig["flags"]
    if label == "revoked":
        assert sig["revocation"]["revoked_at"].startswith("2026-01-01")
        assert sig["revocation"]["reason"] == "key_compromise"


def test_expired_without_timestamp_is_indeterminate(letter_pdf, p12, trust, policy):
    from signatures import selectors

    pdf = _sign_unchecked(letter_pdf, p12["expired"], trust, "B-B")
    report = validation.validate_pdf(pdf, policy)
    (sig,) = report["signatures"]
    assert sig["status"] == "indeterminate" and "expired" in sig["flags"]
    # Not a revocation status that could not be fetched: the chain itself fails, so the item shows it broken.
    assert "untrusted" in sig["flags"] and "revocation_unknown" not in sig["flags"]
    assert selectors.report_status(report) == "broken"


@pytest.mark.parametrize("level", ["B-B", "B-T"])
def test_expired_signer_is_reported(letter_pdf, p12, trust, policy, level):
    pdf = _sign_unchecked(letter_pdf, p12["expired"], trust, level)
    report = validation.validate_pdf(pdf, policy)
    (sig,) = report["signatures"]
    assert not report["ok"]
    assert sig["expired"] is True and "expired" in sig["flags"]
    assert sig["status"] != "valid"
    assert "หมดอายุ" in sig["summary_th"]


def test_untrusted_anchor_is_flagged(signed_bt, pki):
    # A policy whose only anchor is an unrelated CA certificate (the TSA's own cert is not a CA).
    other = validation.ValidationPolicy(trust_roots=[pki.cert("tsa")])
    report = validation.validate_pdf(signed_bt, other)
    (sig,) = report["signatures"]
    assert not report["ok"] and sig["status"] == "indeterminate"
    assert "untrusted" in sig["flags"] and sig["chain"]["trusted"] is False


# -- wrong secrets, TSA down, logs ----------------------------------------------------------------

def test_wrong_passphrase_leaves_file_unchanged_and_nothing_secret_logged(
    tmp_path, letter_pdf, p12, trust, caplog, capfd
):
    target = tmp_path / "letter.pdf"
    target.write_bytes(letter_pdf)
    caplog.set_level(logging.DEBUG)
    wrong = "ผิด-" + PASSPHRASE
    with pytest.raises(WrongSecretError) as ei:
        pades.sign_file_in_place(target, pades.sign_letter, p12["official"], wrong, trust=trust, level="B-T")
    assert target.read_bytes() == letter_pdf
    assert list(tmp_path.iterdir()) == [target]  # no temp file left behind
    assert "รหัสผ่าน" in str(ei.value)
    tb = "".join(traceback.format_exception(ei.value))
    out, err = capfd.readouterr()
    for text in (caplog.text, tb, out, err, repr(ei.value), str(ei.value.detail)):
        assert wrong not in text and PASSPHRASE not in text
        assert "PRIVATE KEY" not in text


def test_successful_signing_logs_no_secret(letter_pdf, p12, trust, caplog, hsm_cred, softhsm, pki):
    caplog.set_level(logging.DEBUG)
    pades.sign_letter(letter_pdf, p12["official"], PASSPHRASE, trust=trust, level="B-LTA")
    pades.sign_letter(letter_pdf, hsm_cred("official"), softhsm.pin, trust=trust, level="B-T")
    key_pem = pki.key_pem("official").read_text()
    key_body = "".join(key_pem.splitlines()[1:-1])[:64]
    assert caplog.records  # logging was on, so the check below is meaningful
    assert PASSPHRASE not in caplog.text
    assert f"'{softhsm.pin}'" not in caplog.text and f"={softhsm.pin}" not in caplog.text
    assert key_body not in caplog.text and "PRIVATE KEY" not in caplog.text


def test_wrong_pin_leaves_file_unchanged(tmp_path, letter_pdf, hsm_cred, trust):
    target = tmp_path / "letter.pdf"
    target.write_bytes(letter_pdf)
    with pytest.raises(WrongSecretError):
        pades.sign_file_in_place(target, pades.sign_letter, hsm_cred("official"), "999999", trust=trust)
    assert target.read_bytes() == letter_pdf


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize("level", ["B-T", "B-LTA"])
def test_unreachable_tsa_gives_thai_error_and_no_change(tmp_path, letter_pdf, p12, pki, level):
    dead = pades.TrustSettings(
        trust_roots=[pki.root], tsa_url=f"http://127.0.0.1:{_closed_port()}/tsa", tsa_timeout=3
    )
    target = tmp_path / "letter.pdf"
    target.write_bytes(letter_pdf)
    with pytest.raises(TimestampUnavailableError) as ei:
        pades.sign_file_in_place(
            target, pades.sign_letter, p12["official"], PASSPHRASE, trust=dead, level=level
        )
    assert "ประทับรับรองเวลา" in str(ei.value)
    assert target.read_bytes() == letter_pdf


# -- explicit offline policy (design.md: offline B-LTA validation failed with the PKI stopped) ----

def test_offline_policy_with_pki_stopped(pki, letter_pdf, p12, trust, offline_policy, policy):
    by_level = {
        lvl: pades.sign_letter(letter_pdf, p12["official"], PASSPHRASE, trust=trust, level=lvl)
        for lvl in ("B-B", "B-T", "B-LT", "B-LTA")
    }
    pki.stop()
    try:
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", pki.port), timeout=1).close()
        for online_allowed in (offline_policy, policy):  # fetching allowed but nothing answers
            status = {
                lvl: validation.validate_pdf(pdf, online_allowed)["signatures"][0]["status"]
                for lvl, pdf in by_level.items()
            }
            # Embedded material is enough for B-LT and B-LTA; B-B and B-T cannot be decided.
            expected = {"B-B": "indeterminate", "B-T": "indeterminate", "B-LT": "valid", "B-LTA": "valid"}
            assert status == expected
    finally:
        pki.start()
    assert validation.validate_pdf(by_level["B-B"], policy)["ok"]  # back online: decided again


def test_report_for_unsigned_and_garbage(letter_pdf, policy):
    r = validation.validate_pdf(letter_pdf, policy)
    assert r["signed"] is False and r["ok"] is False and r["signatures"] == []
    assert "ไม่มีลายมือชื่อ" in r["summary_th"]
    g = validation.validate_pdf(b"%PDF-1.7\nnot really\n", policy)
    assert g["readable"] is False and g["ok"] is False


def test_missing_token_or_key_is_a_thai_error(letter_pdf, softhsm, trust, pki):
    from signatures.errors import CredentialNotFoundError

    for cred in (
        credentials.PKCS11Credential(lib_path=softhsm.lib, token_label="no-such-token", key_label="official"),
        credentials.PKCS11Credential(
            lib_path=softhsm.lib, token_label=softhsm.token_label, key_label="nobody"
        ),
    ):
        with pytest.raises(CredentialNotFoundError) as ei:
            pades.sign_letter(letter_pdf, cred, softhsm.pin, trust=trust, level="B-B")
        assert "ไม่พบกุญแจ" in str(ei.value)
    with pytest.raises(CredentialNotFoundError):
        pades.sign_letter(letter_pdf, credentials.PKCS12Credential("/nonexistent.p12"), "x", trust=trust)


def test_check_signer_certificate_standalone(pki, trust):
    chain = [pki.cert("interm")]
    pades.check_signer_certificate(pki.cert("official"), chain, trust.validation_context())
    with pytest.raises(CertificateRevokedError):
        pades.check_signer_certificate(pki.cert("revoked"), chain, trust.validation_context())
    with pytest.raises(CertificateExpiredError):
        pades.check_signer_certificate(pki.cert("expired"), chain, trust.validation_context())


# -- odd files from other systems ----------------------------------------------------------------------

def _without_certificates(pdf: bytes) -> bytes:
    """The same signature with the certificates left out of its CMS (some signing tools do this)."""
    import binascii
    import re

    from asn1crypto import cms

    m = re.search(rb"/Contents\s*<([0-9a-fA-F]+)>", pdf)
    hexed = m.group(1)
    signed_data = cms.ContentInfo.load(binascii.unhexlify(hexed).rstrip(b"\0"))["content"]
    bare = cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(
        {k: signed_data[k] for k in ("version", "digest_algorithms", "encap_content_info", "signer_infos")})}).dump()
    bare_hex = binascii.hexlify(bare)
    return pdf[:m.start(1)] + bare_hex + b"0" * (len(hexed) - len(bare_hex)) + pdf[m.end(1):]


def test_a_signature_without_its_signer_certificate_gets_a_report_not_an_exception(letter_pdf, p12, trust, policy):
    signed = pades.sign_letter(letter_pdf, p12["official"], PASSPHRASE, trust=trust, level="B-B")
    report = validation.validate_pdf(_without_certificates(signed), policy)
    (sig,) = report["signatures"]
    assert not report["ok"] and sig["status"] != "valid"
    assert "no_signer_certificate" in sig["flags"] and "ไม่ได้แนบใบรับรองของผู้ลงนาม" in sig["summary_th"]


def test_a_pdf_encrypted_with_an_empty_user_password_is_validated(letter_pdf, pki, policy):
    """Such a PDF opens in every viewer without a password (it only restricts printing or copying)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.writer import copy_into_new_writer
    from pyhanko.sign import fields, signers

    writer = copy_into_new_writer(PdfFileReader(BytesIO(letter_pdf)))
    writer.encrypt("owner-secret", "")
    out = BytesIO()
    writer.write(out)
    incremental = IncrementalPdfFileWriter(BytesIO(out.getvalue()))
    incremental.encrypt("owner-secret")
    signer = signers.SimpleSigner.load_pkcs12(str(pki.pkcs12_file("official", PASSPHRASE)),
                                              passphrase=PASSPHRASE.encode())
    signed = signers.sign_pdf(incremental, signers.PdfSignatureMetadata(
        field_name="Sig1", subfilter=fields.SigSeedSubFilter.PADES), signer=signer).getvalue()
    report = validation.validate_pdf(signed, policy)
    assert report["readable"] is True and len(report["signatures"]) == 1
    assert report["signatures"][0]["integrity"]["intact"] is True


def test_a_pdf_that_needs_a_password_is_reported_as_such(letter_pdf, policy):
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(BytesIO(letter_pdf)))
    writer.encrypt("owner-secret", "user-secret")
    out = BytesIO()
    writer.write(out)
    report = validation.validate_pdf(out.getvalue(), policy)
    assert report["readable"] is False and report["encrypted"] is True
    assert "เข้ารหัสด้วยรหัสผ่าน" in report["summary_th"]


def test_a_good_signature_whose_revocation_cannot_be_fetched_is_a_warning_not_broken(letter_pdf, p12, trust, pki,
                                                                                     policy):
    from signatures import selectors

    signed = pades.sign_letter(letter_pdf, p12["official"], PASSPHRASE, trust=trust, level="B-T")
    pki.stop()
    try:
        report = validation.validate_pdf(signed, policy)
    finally:
        pki.start()
    (sig,) = report["signatures"]
    assert sig["status"] == "indeterminate" and "untrusted" not in sig["flags"]
    assert "revocation_unknown" in sig["flags"] and "ตรวจสอบสถานะการเพิกถอน" in sig["summary_th"]
    assert selectors.report_status(report) == "warning"

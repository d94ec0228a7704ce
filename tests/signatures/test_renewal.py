"""Renewal: a new archive timestamp over a B-LTA file (PdfTimeStamper.update_archival_timestamp_chain)."""

from datetime import timedelta
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signatures import pades, validation
from signatures.errors import RenewalError

from signatures.testing import TEST_PASSPHRASE as PASSPHRASE


@pytest.fixture(scope="module")
def lta(letter_pdf, p12, trust):
    return pades.sign_letter(letter_pdf, p12["official"], PASSPHRASE, trust=trust, level="B-LTA")


def test_needs_renewal_follows_tsa_certificate_expiry(lta, pki):
    not_after = pki.cert("tsa")["tbs_certificate"]["validity"]["not_after"].native
    assert pades.last_timestamp_expiry(lta) == not_after
    assert not pades.needs_archive_renewal(lta)
    assert pades.needs_archive_renewal(lta, now=not_after - timedelta(days=30))
    assert not pades.needs_archive_renewal(lta, now=not_after - timedelta(days=800))


def test_renewal_adds_timestamp_and_keeps_everything_valid(lta, trust, policy, offline_policy, openssl_verify):
    renewed = pades.renew_archive_timestamp(lta, trust=trust)
    assert renewed[: len(lta)] == lta
    r_old = PdfFileReader(BytesIO(lta))
    r_new = PdfFileReader(BytesIO(renewed))
    assert len(r_new.embedded_timestamp_signatures) == len(r_old.embedded_timestamp_signatures) + 1
    # The DSS now also carries revocation data for the previous timestamp's TSA chain.
    root_crl_count = lambda r: len(r.root["/DSS"]["/CRLs"])  # noqa: E731
    assert root_crl_count(r_new) >= root_crl_count(r_old)
    for pol in (policy, offline_policy):
        report = validation.validate_pdf(renewed, pol)
        assert report["ok"], report["summary_th"]
        (sig,) = report["signatures"]
        assert sig["pades_level"] == "B-LTA"
        assert sig["integrity"]["modification_level"] == "LTA_UPDATES"
        assert len(report["document_timestamps"]) == 2
        assert all(t["ades"]["indication"] == "PASSED" for t in report["document_timestamps"])
    results = openssl_verify(renewed)
    assert len(results) == 3 and all(ok for ok, _ in results.values())


def test_renewal_refuses_a_file_without_archive_timestamp(letter_pdf, p12, trust):
    bt = pades.sign_letter(letter_pdf, p12["official"], PASSPHRASE, trust=trust, level="B-T")
    with pytest.raises(RenewalError) as ei:
        pades.renew_archive_timestamp(bt, trust=trust)
    assert "B-LTA" in str(ei.value)

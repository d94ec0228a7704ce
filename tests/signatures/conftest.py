"""Session fixtures for the signature tests: a real PKI on 127.0.0.1, a SoftHSM2 token, second opinions.

The PKI (root, issuing CA, OCSP responder, CRLs, TSA; a revoked and an expired signer) comes from
tests/signatures/pki/pki.yml via certomancer, with keys generated for the run. Nothing here needs
a database.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from io import BytesIO

import pytest
from asn1crypto import cms

from signatures import credentials, pades, validation
from signatures.testing import TEST_PASSPHRASE as PASSPHRASE
from signatures.testing import TestPKI, make_softhsm_token, sample_letter_pdf


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    p = TestPKI(tmp_path_factory.mktemp("pki"))
    p.start()
    yield p
    p.close()


@pytest.fixture(scope="session")
def trust(pki) -> pades.TrustSettings:
    return pades.TrustSettings(trust_roots=[pki.root], tsa_url=pki.tsa_url)


@pytest.fixture(scope="session")
def policy(pki) -> validation.ValidationPolicy:
    return validation.ValidationPolicy(trust_roots=[pki.root])


@pytest.fixture(scope="session")
def offline_policy(pki) -> validation.ValidationPolicy:
    return validation.ValidationPolicy(trust_roots=[pki.root], allow_online=False)


@pytest.fixture(scope="session")
def letter_pdf() -> bytes:
    return sample_letter_pdf(pages=2)


@pytest.fixture(scope="session")
def p12(pki):
    """label -> PKCS12Credential, all protected by PASSPHRASE."""
    return {
        label: credentials.PKCS12Credential(pki.pkcs12_file(label, PASSPHRASE))
        for label in ("official", "seal-a", "seal-b", "revoked", "expired")
    }


@pytest.fixture(scope="session")
def softhsm(pki, tmp_path_factory):
    if shutil.which("softhsm2-util") is None:
        pytest.fail("softhsm2-util missing: install the Debian package softhsm2")
    labels = ("official", "seal-a", "revoked")
    return make_softhsm_token(pki, tmp_path_factory.mktemp("softhsm"), labels=labels)


@pytest.fixture(scope="session")
def hsm_cred(softhsm, pki):
    def make(label: str) -> credentials.PKCS11Credential:
        return credentials.PKCS11Credential(
            lib_path=softhsm.lib, token_label=softhsm.token_label, key_label=label,
            extra_certs=(pki.cert("interm"),),
        )

    return make


# -- second opinions ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def nssdb(pki, tmp_path_factory) -> str:
    d = tmp_path_factory.mktemp("nssdb")
    subprocess.run(["certutil", "-N", "-d", f"sql:{d}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{d}", "-n", "eoffice-test-root", "-t", "CT,C,C",
         "-i", str(pki.root_pem_file())],
        check=True, capture_output=True,
    )
    return f"sql:{d}"


@dataclass
class PdfsigEntry:
    field: str
    signer: str
    sig_type: str
    signature_validation: str
    certificate_validation: str | None
    total_document: bool


def parse_pdfsig(text: str) -> list[PdfsigEntry]:
    out = []
    for block in re.split(r"^Signature #\d+:\s*$", text, flags=re.M)[1:]:
        def get(key):
            m = re.search(rf"- {re.escape(key)}: (.*)$", block, flags=re.M)
            return m.group(1).strip() if m else None

        sig_type = get("Signature Type") or ""
        out.append(PdfsigEntry(
            field=get("Signature Field Name") or "",
            signer=get("Signer Certificate Common Name") or "",
            sig_type=sig_type.split("Unimplemented")[0].strip(),
            signature_validation=get("Signature Validation") or "",
            certificate_validation=get("Certificate Validation"),
            total_document="Total document signed" in block,
        ))
    return out


@pytest.fixture(scope="session")
def pdfsig(nssdb, tmp_path_factory):
    """Run poppler's pdfsig and return parsed entries (its exit code ignores trust: read the text)."""
    d = tmp_path_factory.mktemp("pdfsig")

    def run(pdf: bytes) -> list[PdfsigEntry]:
        f = d / "doc.pdf"
        f.write_bytes(pdf)
        # -no-ocsp: NSS's own OCSP lookups are not what is being checked here.
        r = subprocess.run(["pdfsig", "-nssdir", nssdb, "-no-ocsp", str(f)], capture_output=True, text=True)
        return parse_pdfsig(r.stdout)

    return run


def signed_parts(pdf: bytes):
    """(field name, is_doc_timestamp, signed bytes, DER CMS) for each signature, via /ByteRange."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    r = PdfFileReader(BytesIO(pdf), strict=False)
    parts = []
    for emb in r.embedded_signatures:
        a, b, c, d = (int(x) for x in emb.sig_object["/ByteRange"])
        data = pdf[a:a + b] + pdf[c:c + d]
        contents = emb.sig_object["/Contents"]
        der = cms.ContentInfo.load(bytes(contents)).dump()  # drops the zero padding
        parts.append((emb.field_name, emb.sig_object.get("/Type") == "/DocTimeStamp", data, der))
    return parts


@pytest.fixture(scope="session")
def openssl_verify(pki, tmp_path_factory):
    """Verify every signature with openssl over the signed byte ranges.

    Signatures: ``openssl cms -verify`` with the test root as the only CA. Document timestamps:
    ``openssl ts -verify``. Returns {field: (ok, stderr)}.
    """
    d = tmp_path_factory.mktemp("openssl")
    root = pki.root_pem_file()

    def run(pdf: bytes) -> dict[str, tuple[bool, str]]:
        results = {}
        for i, (name, is_ts, data, der) in enumerate(signed_parts(pdf)):
            (d / f"{i}.bin").write_bytes(data)
            (d / f"{i}.der").write_bytes(der)
            if is_ts:
                cmd = ["openssl", "ts", "-verify", "-data", str(d / f"{i}.bin"), "-in", str(d / f"{i}.der"),
                       "-token_in", "-CAfile", str(root)]
            else:
                cmd = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(d / f"{i}.der"),
                       "-content", str(d / f"{i}.bin"), "-CAfile", str(root), "-purpose", "any",
                       "-out", "/dev/null"]
            r = subprocess.run(cmd, capture_output=True, text=True)
            ok = r.returncode == 0 and ("Verification successful" in r.stderr + r.stdout
                                       or "Verification: OK" in r.stdout)
            results[name] = (ok, r.stderr + r.stdout)
        return results

    return run

"""Credentials at rest: encrypted with the configured key, never shown by the admin; seals inherited."""
import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile

from signatures import crypto, selectors, services
from signatures.models import CertificateKind, SigningCredential, TrustedCertificate
from signatures.testing import TEST_PASSPHRASE

from sig_portal import media, official, p12_bytes, tree  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_encryption_round_trip_and_rotation(settings):
    old = Fernet.generate_key().decode()
    settings.EOFFICE_KEY_ENCRYPTION_KEY = old
    token = crypto.encrypt(b"p12 bytes")
    assert b"p12 bytes" not in token.encode()
    new = Fernet.generate_key().decode()
    settings.EOFFICE_KEY_ENCRYPTION_KEY = f"{new},{old}"
    assert crypto.decrypt(token) == b"p12 bytes"  # old key still decrypts
    rotated = crypto.rotate(token)
    settings.EOFFICE_KEY_ENCRYPTION_KEY = new
    assert crypto.decrypt(rotated) == b"p12 bytes"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_default_key_is_derived_and_valid(settings):
    Fernet(settings.EOFFICE_KEY_ENCRYPTION_KEY.split(",")[0].encode())


def test_job_secret_opens_once():
    ct = crypto.seal_job_secret(999_001, "1234")
    assert "1234" not in ct
    assert crypto.open_job_secret(999_001, ct) == "1234"
    assert crypto.open_job_secret(999_001, ct) is None  # the key was deleted on first use


def test_pkcs12_is_stored_encrypted(official, p12_bytes):
    cred = services.credential_pkcs12_add(data=p12_bytes["official"], official=official)
    cred.refresh_from_db()
    assert p12_bytes["official"][:64].hex() not in cred.pkcs12_encrypted
    assert crypto.decrypt(cred.pkcs12_encrypted) == p12_bytes["official"]
    assert cred.secret_encrypted == ""
    # Key material stays out of the append-only history.
    hist = cred.history.first()
    assert not hasattr(hist, "pkcs12_encrypted") and hist.pkcs12_sha256 == cred.pkcs12_sha256


def test_official_secret_is_refused(official, p12_bytes):
    with pytest.raises(ValueError):
        services.credential_pkcs12_add(data=p12_bytes["official"], official=official, seal_secret="x")


def test_seal_is_inherited_from_the_nearest_agency_up(tree, p12_bytes):
    top = services.credential_pkcs12_add(data=p12_bytes["seal-a"], agency=tree["ministry"], seal_secret=TEST_PASSPHRASE)
    assert selectors.seal_for(tree["division"]) == top
    own = services.credential_pkcs12_add(data=p12_bytes["seal-b"], agency=tree["dept"], seal_secret=TEST_PASSPHRASE)
    assert selectors.seal_for(tree["division"]) == own
    own.active = False
    own.save()
    assert selectors.seal_for(tree["division"]) == top
    assert selectors.seal_for(tree["other_div"]) is None


def test_admin_upload_encrypts_and_never_shows_secrets(admin_client, tree, p12_bytes):
    resp = admin_client.post("/admin/signatures/signingcredential/add/", {
        "kind": "pkcs12", "agency": tree["ministry"].pk, "label": "ตรากระทรวง", "active": "on",
        "pkcs12_file": SimpleUploadedFile("seal.p12", p12_bytes["seal-a"]), "seal_secret": TEST_PASSPHRASE,
    })
    assert resp.status_code == 302, resp.content.decode()[:2000]
    cred = SigningCredential.objects.get(label="ตรากระทรวง")
    assert crypto.decrypt(cred.pkcs12_encrypted) == p12_bytes["seal-a"]
    assert crypto.decrypt(cred.secret_encrypted).decode() == TEST_PASSPHRASE
    for url in (f"/admin/signatures/signingcredential/{cred.pk}/change/", "/admin/signatures/signingcredential/",
                f"/admin/signatures/signingcredential/{cred.pk}/history/"):
        page = admin_client.get(url).content.decode()
        assert TEST_PASSPHRASE not in page
        assert cred.pkcs12_encrypted[:40] not in page and cred.secret_encrypted[:40] not in page
    # Leaving the secret empty on change keeps the stored one.
    resp = admin_client.post(f"/admin/signatures/signingcredential/{cred.pk}/change/", {
        "kind": "pkcs12", "agency": tree["ministry"].pk, "label": "ตรากระทรวง ๒", "active": "on",
    })
    assert resp.status_code == 302
    cred.refresh_from_db()
    assert crypto.decrypt(cred.secret_encrypted).decode() == TEST_PASSPHRASE


def test_admin_refuses_a_stored_secret_for_an_official(admin_client, official, p12_bytes):
    resp = admin_client.post("/admin/signatures/signingcredential/add/", {
        "kind": "pkcs12", "official": official.pk, "active": "on",
        "pkcs12_file": SimpleUploadedFile("me.p12", p12_bytes["official"]), "seal_secret": "keep-me",
    })
    assert resp.status_code == 200
    assert not SigningCredential.objects.exists()


def test_admin_uploads_a_trust_anchor_pem_or_der(admin_client, pki):
    from asn1crypto import pem

    resp = admin_client.post("/admin/signatures/trustedcertificate/add/", {
        "kind": CertificateKind.ANCHOR, "name": "",
        "upload": SimpleUploadedFile("root.pem", pem.armor("CERTIFICATE", pki.root.dump())),
    })
    assert resp.status_code == 302
    anchor = TrustedCertificate.objects.get()
    assert anchor.sha256 == pki.root.sha256.hex() and anchor.name == "e-Office Test Root CA"
    resp = admin_client.post("/admin/signatures/trustedcertificate/add/", {
        "kind": CertificateKind.INTERMEDIATE, "name": "Issuing",
        "upload": SimpleUploadedFile("interm.der", pki.cert("interm").dump()),
    })
    assert resp.status_code == 302 and TrustedCertificate.objects.count() == 2
    resp = admin_client.post("/admin/signatures/trustedcertificate/add/", {
        "kind": CertificateKind.ANCHOR, "name": "x", "upload": SimpleUploadedFile("bad.pem", b"not a cert"),
    })
    assert resp.status_code == 200 and "ไม่ถูกต้อง" in resp.content.decode()


def test_admin_pages_render(admin_client):
    for model in ("trustedcertificate", "signingcredential", "agencysigningsettings", "signingjob",
                  "lettersignature", "letterarchive", "receiptstamp", "signaturereport"):
        assert admin_client.get(f"/admin/signatures/{model}/").status_code == 200, model
    assert admin_client.get("/admin/signatures/agencysigningsettings/add/").status_code == 200

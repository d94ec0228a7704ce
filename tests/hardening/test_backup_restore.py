"""Backup and restore (docs/operations.md): scripts/backup takes the database and the files of a portal with
signed letters in it; scripts/restore puts them into an empty database and an empty directory, and the
restored portal's audit chain and every PDF's signatures verify. A file changed after the backup is caught."""
import os
import subprocess
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from correspondence.models import Channel
from correspondence.services import receiving
from pdf_samples import blank_pdf

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "backup-test-passphrase"


@pytest.fixture
def pki(tmp_path):
    from signatures.testing import TestPKI

    p = TestPKI(tmp_path / "pki")
    p.start()
    yield p
    p.close()


def _url(name: str) -> str:
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    return f"{base}/{name}"


def _run(args, **env):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EOFFICE_"))}
    full.update(env)
    return subprocess.run(args, cwd=ROOT, env=full, capture_output=True, text=True, timeout=600)


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database_and_verifies(users, units, settings, tmp_path, pki):
    for name in ("DATABASE_URL", "PG_BIN"):
        if not os.environ.get(name):
            pytest.skip("run under scripts/with-services")
    from signatures import credentials, pades
    from signatures.models import AgencySigningSettings, CertificateKind
    from signatures.services import trusted_certificate_add
    from signatures.testing import sample_letter_pdf

    settings.MEDIA_ROOT = tmp_path / "media"
    soc = units["สลค."]
    # The agency trusts the test PKI's root; a letter signed under it arrives and is registered.

    anchor = trusted_certificate_add(data=pki.root.dump(), kind=CertificateKind.ANCHOR)
    config = AgencySigningSettings.objects.create(agency=soc.top, level="B-B")
    config.trust_anchors.add(anchor)
    signer = credentials.PKCS12Credential(pki.pkcs12_file("official", PASSPHRASE))
    signed = pades.sign_letter(sample_letter_pdf(pages=1), signer, PASSPHRASE,
                               trust=pades.TrustSettings(trust_roots=[pki.root]), level="B-B")
    clerk = users["soc.clerk"]
    for data in (signed, blank_pdf()):
        item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="หนังสือลงนาม",
                                          sender_text="กระทรวงการต่างประเทศ", pdf=ContentFile(data, name="in.pdf"))
        receiving.incoming_register(item, by=clerk)

    source_db = settings.DATABASES["default"]["NAME"]
    backup = tmp_path / "backup"
    done = _run(["scripts/backup", str(backup)], DATABASE_URL=_url(source_db), DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT))
    assert done.returncode == 0, done.stderr
    assert {p.name for p in backup.iterdir()} == {"db.dump", "media.tar.gz", "SHA256SUMS"}

    target = f"restore_{uuid.uuid4().hex[:8]}"
    pg = os.environ["PG_BIN"]
    subprocess.run([f"{pg}/createdb", "--maintenance-db", _url("postgres"), target], check=True)
    try:
        restored_media = tmp_path / "restored-media"
        env = {"DATABASE_URL": _url(target), "DJANGO_MEDIA_ROOT": str(restored_media),
               "EOFFICE_VAR_DIR": str(tmp_path / "var"), "PG_BIN": pg}
        done = _run(["scripts/restore", str(backup)], **env)
        assert done.returncode == 0, done.stdout + done.stderr
        out = done.stdout
        assert "ประวัติการแก้ไขครบถ้วน" in out  # verify_audit: every chain intact
        assert "signed and valid: 1, unsigned: 1, failed: 0, missing: 0" in out, out
        # A second restore into the same (now full) database is refused.
        again = _run(["scripts/restore", str(backup)], **env)
        assert again.returncode != 0 and "not empty" in again.stderr
        # The verification is real: one byte changed in the restored signed file fails it.
        stored = sorted(restored_media.rglob("*.pdf"), key=lambda p: p.stat().st_size, reverse=True)
        victim = next(p for p in stored if p.read_bytes() == signed or b"/ByteRange" in p.read_bytes())
        data = bytearray(victim.read_bytes())
        data[len(data) // 3] ^= 0x01
        victim.write_bytes(bytes(data))
        check = _run([str(ROOT / ".venv/bin/python"), "manage.py", "verify_signatures"], **env)
        assert check.returncode != 0 and "FAILED" in check.stdout, check.stdout
    finally:
        subprocess.run([f"{pg}/dropdb", "--maintenance-db", _url("postgres"), "--force", target], check=False)

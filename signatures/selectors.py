"""Reads shared by services, tasks, pages and the admin: inherited agency settings, seals, trust,
letter signatures, job status and the Thai summary of an incoming item's signatures."""
from __future__ import annotations

from dataclasses import dataclass, field

from asn1crypto import x509

from . import pades, validation
from .models import (
    AgencySigningSettings,
    CertificateKind,
    LetterSignature,
    ReceiptStamp,
    ReportStatus,
    SignatureReport,
    SigningCredential,
    SigningJob,
    StampState,
    TrustedCertificate,
)


@dataclass(frozen=True)
class EffectiveSettings:
    """An agency's signing settings after inheritance (``source`` is the agency they came from)."""

    level: str = pades.DEFAULT_LEVEL.value
    tsa_url: str = ""
    trust_roots: tuple[x509.Certificate, ...] = ()
    intermediates: tuple[x509.Certificate, ...] = field(default_factory=tuple)
    renew_days_before_expiry: int = 365
    source_agency_id: int | None = None

    def trust(self) -> pades.TrustSettings:
        return pades.TrustSettings(trust_roots=list(self.trust_roots), tsa_url=self.tsa_url or None,
                                   intermediates=list(self.intermediates))

    def policy(self) -> validation.ValidationPolicy:
        return validation.ValidationPolicy(trust_roots=list(self.trust_roots), intermediates=list(self.intermediates))


def _intermediates() -> tuple[x509.Certificate, ...]:
    # Intermediates are public path-building hints, shared by every agency.
    return tuple(c.certificate() for c in TrustedCertificate.objects.filter(kind=CertificateKind.INTERMEDIATE))


def signing_settings_for(agency) -> EffectiveSettings:
    """The nearest ``AgencySigningSettings`` up the tree (Agency.path()); defaults (B-LTA, no TSA,
    no anchors) when none is configured anywhere."""
    path = agency.path()
    by_agency = {
        s.agency_id: s
        for s in AgencySigningSettings.objects.filter(agency__in=path).prefetch_related("trust_anchors")
    }
    for node in reversed(path):
        s = by_agency.get(node.pk)
        if s is not None:
            return EffectiveSettings(
                level=s.level,
                tsa_url=s.tsa_url,
                trust_roots=tuple(c.certificate() for c in s.trust_anchors.all() if c.kind == CertificateKind.ANCHOR),
                intermediates=_intermediates(),
                renew_days_before_expiry=s.renew_days_before_expiry,
                source_agency_id=node.pk,
            )
    return EffectiveSettings(intermediates=_intermediates())


def seal_for(agency) -> SigningCredential | None:
    """The active electronic seal of the agency, or of the nearest agency up the tree that has one."""
    path = agency.path()
    seals = {}
    for s in SigningCredential.objects.filter(agency__in=path, active=True).order_by("-created_at"):
        seals.setdefault(s.agency_id, s)
    for node in reversed(path):
        if node.pk in seals:
            return seals[node.pk]
    return None


def official_credential(official) -> SigningCredential | None:
    return SigningCredential.objects.filter(official=official, active=True).order_by("-created_at").first()


def letter_signatures(letter) -> list[LetterSignature]:
    """Signatures on a letter in signing order, with the officials, for the letter's page."""
    return list(LetterSignature.objects.filter(letter=letter).select_related("official").order_by("order"))


def signing_job_status(job_id: int) -> dict:
    """What the letter's page polls: state, percent and the Thai message."""
    job = SigningJob.objects.only("state", "progress", "message", "error_code", "letter_id").get(pk=job_id)
    return {
        "id": job.pk,
        "letter": job.letter_id,
        "state": job.state,
        "state_th": job.get_state_display(),
        "progress": job.progress,
        "message": job.message,
        "error_code": job.error_code,
    }


def item_signature_summary(item) -> dict:
    """Thai summary for the incoming item's page: the latest validation report and the receipt stamp."""
    report = SignatureReport.objects.filter(item=item).order_by("-created_at", "-pk").first()
    stamp = ReceiptStamp.objects.filter(item=item).first()
    if report is None:
        status, text = None, "ยังไม่ได้ตรวจสอบลายมือชื่อ"
    else:
        status, text = report.status, report.summary_th
    lines = [text]
    flagged = []
    if report is not None:
        for s in report.report.get("signatures", []):
            if s.get("status") != "valid":
                flagged.append(s.get("summary_th", ""))
    if stamp is not None:
        lines.append(stamp.message or stamp.get_state_display())
    return {
        "status": status,
        "status_th": ReportStatus(status).label if status else "",
        "summary_th": text,
        "flagged_th": flagged,
        "stamp_state": stamp.state if stamp else None,
        "stamp_th": (stamp.message or stamp.get_state_display()) if stamp else "",
        "text_th": " ".join(lines),
    }


def report_status(report: dict) -> str:
    """ok: every signature valid. broken: any invalid, untrusted, revoked or unreadable. warning:
    unsigned, or indeterminate for another reason (e.g. revocation data unreachable)."""
    if not report.get("readable", True):
        return ReportStatus.BROKEN
    sigs = report.get("signatures", [])
    if sigs and report.get("ok"):
        return ReportStatus.OK
    for s in sigs:
        if s.get("status") == "invalid" or {"broken", "untrusted", "revoked", "modified"} & set(s.get("flags", [])):
            return ReportStatus.BROKEN
    return ReportStatus.WARNING


def report_summary_th(report: dict, status: str) -> str:
    base = report.get("summary_th", "")
    if status == ReportStatus.BROKEN:
        return f"พบลายมือชื่อที่ไม่ถูกต้องหรือไม่น่าเชื่อถือ: {base}"
    return base


NO_SEAL_MESSAGE = "ลงทะเบียนรับแล้วโดยไม่ได้ประทับตรารับ เพราะส่วนราชการยังไม่ได้ตั้งค่าตราประทับอิเล็กทรอนิกส์"



__all__ = [
    "EffectiveSettings", "signing_settings_for", "seal_for", "official_credential", "letter_signatures",
    "signing_job_status", "item_signature_summary", "report_status", "StampState", "NO_SEAL_MESSAGE",
]

"""Validation report for the signatures in a PDF, under an explicit policy.

POLICY (``ValidationPolicy``, version ``eoffice-pades-1``):

1. Integrity. The signed byte ranges must hash to the signed digest and the CMS signature must
   verify; otherwise the signature is *invalid* (``broken``).
2. Later changes. pyHanko's difference analysis rates what was appended after each signature;
   anything worse than ``max_modification_level`` (default FORM_FILLING: new signatures,
   receipt stamps, DSS and archive timestamps) makes the signature *invalid* (``modified``).
3. Trust. The signer's chain must end at one of the configured trust anchors (no system store).
   Revocation data is required for the signer and every CA in the path (OCSP or CRL).
4. Which validation time and which revocation data, by the PAdES level found in the file:
   - B-B, B-T: validated now, with revocation data fetched online when ``allow_online`` is set
     (DSS contents left by later signatures are used too). With no usable revocation data
     (offline, PKI unreachable) this gives *indeterminate*, never *valid*.
   - B-LT: validated now with the DSS contents as local knowledge (online only to fill gaps).
   - B-LTA: ETSI EN 319 102-1 §5.6.3 long-term validation (pyHanko ``ades_lta_validation``):
     the archive-timestamp chain gives proof of existence, the DSS gives revocation data, so it
     validates with the PKI unreachable. This is why B-LTA files validate offline while B-B/B-T
     files cannot.
   The signature timestamp (B-T and up) must itself validate against the same anchors.
5. Validity period and revocation at signing time. The signer's certificate must be within its
   validity period at the signature timestamp (pyHanko's with-time process only checks the lower
   bound); a signature timestamped after the certificate expired or was revoked is *invalid*.
6. Verdict per signature: *valid* (AdES PASSED and rules 1–5 hold), *invalid* (AdES FAILED, rule
   1, 2 or 5 broken), *indeterminate* (anything else: untrusted chain, missing revocation data,
   expired or revoked without proof of when it was signed...). The document is ``ok`` only if
   every signature is valid.

The report is a JSON-serialisable dict with Thai summaries, for storage and display.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from io import BytesIO
from typing import Any, Sequence

from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESPassed
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
from pyhanko.sign.validation.ades import (
    ades_basic_validation,
    ades_lta_validation,
    ades_timestamp_validation,
    ades_with_time_validation,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import (
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.status import ModificationInfo
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.policy_decl import NO_REVOCATION, REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

from eoffice import thai

from .pades import PadesLevel, http_session

logger = logging.getLogger(__name__)

POLICY_ID = "eoffice-pades-1"


@dataclass(frozen=True)
class ValidationPolicy:
    trust_roots: Sequence[x509.Certificate]
    intermediates: Sequence[x509.Certificate] = field(default_factory=tuple)
    allow_online: bool = True
    max_modification_level: ModificationLevel = ModificationLevel.FORM_FILLING
    # Signatures below this level are reported but flagged (``level_below_required``).
    min_level: PadesLevel | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "id": POLICY_ID,
            "trust_anchors": [c.subject.human_friendly for c in self.trust_roots],
            "allow_online": self.allow_online,
            "max_modification_level": self.max_modification_level.name,
            "min_level": self.min_level.value if self.min_level else None,
            "revocation": "required for signer and CAs (OCSP or CRL)",
        }


# -- helpers -----------------------------------------------------------------------------------

def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).isoformat()


def _thai_dt(dt: datetime | None) -> str:
    if dt is None:
        return "-"
    from .appearance import BANGKOK

    local = dt.astimezone(BANGKOK)
    return f"{thai.format_date(local.date(), style='full')} เวลา {thai.format_time(local.time())}"


def _cert_info(cert: x509.Certificate) -> dict[str, Any]:
    subj = cert.subject.native
    validity = cert["tbs_certificate"]["validity"]
    return {
        "common_name": subj.get("common_name"),
        "organization": subj.get("organization_name"),
        "subject": cert.subject.human_friendly,
        "issuer": cert.issuer.human_friendly,
        "serial": format(cert.serial_number, "x"),
        "not_before": _iso(validity["not_before"].native),
        "not_after": _iso(validity["not_after"].native),
        "sha256": cert.sha256.hex(),
    }


def _indication(subindic) -> str:
    if isinstance(subindic, AdESPassed):
        return "PASSED"
    if isinstance(subindic, AdESFailure):
        return "FAILED"
    return "INDETERMINATE"


def _dss_knowledge(reader: PdfFileReader) -> tuple[LocalKnowledge, DocumentSecurityStore | None]:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:  # noqa: BLE001 - "No DSS found" is a plain error in pyHanko
        return LocalKnowledge(), None
    from asn1crypto import crl as asn1_crl, ocsp as asn1_ocsp
    from pyhanko.pdf_utils.decode_limits import DecodePurpose

    # Read the DSS streams directly: DocumentSecurityStore.as_validation_context would build a
    # context on the OS trust list, which this policy never uses.
    ocsps = [
        asn1_ocsp.OCSPResponse.load(r.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
        for r in dss.ocsps
    ]
    crls = [asn1_crl.CertificateList.load(r.get_object().read_data(DecodePurpose.CRL)) for r in dss.crls]
    return (
        LocalKnowledge(
            known_certs=list(dss.load_certs()),
            known_crls=[CRLContainer(c) for c in crls],
            known_ocsps=[OCSPContainer(o) for o in ocsps],
        ),
        dss,
    )


def _spec(
    policy: ValidationPolicy, knowledge: LocalKnowledge, online: bool | None = None, session=None,
    revocation: bool = True,
) -> SignatureValidationSpec:
    online = policy.allow_online if online is None else online
    rule = RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH if online else RevinfoOnlineFetchingRule.LOCAL_ONLY
    known = LocalKnowledge(
        known_certs=list(knowledge.known_certs) + list(policy.intermediates),
        known_crls=knowledge.known_crls,
        known_ocsps=knowledge.known_ocsps,
    )
    return SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(list(policy.trust_roots)),
            revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO if revocation else NO_REVOCATION),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=rule,
            fetcher_backend=AIOHttpFetcherBackend(session=session) if session is not None else None,
        ),
        local_knowledge=known,
    )


def _has_signature_timestamp(sig: EmbeddedPdfSignature) -> bool:
    unsigned = sig.signer_info["unsigned_attrs"]
    if not unsigned or unsigned.native is None:
        return False
    return any(a["type"].native == "signature_time_stamp_token" for a in unsigned)


def _revinfo_count(reader: PdfFileReader, rev: int) -> int:
    dss = reader.get_historical_root(rev).get("/DSS")
    if dss is None:
        return 0
    dss = dss.get_object()
    return sum(len(dss[k].get_object()) for k in ("/OCSPs", "/CRLs") if k in dss)


def _signature_ts_time(sig: EmbeddedPdfSignature) -> datetime | None:
    """genTime of the signature timestamp token, unverified (see rule 5)."""
    unsigned = sig.signer_info["unsigned_attrs"]
    if not unsigned or unsigned.native is None:
        return None
    for a in unsigned:
        if a["type"].native == "signature_time_stamp_token":
            try:
                content = a["values"][0]["content"]
                tst = content["encap_content_info"]["content"].parsed
                return tst["gen_time"].native
            except Exception:  # noqa: BLE001
                return None
    return None


def _dss_revision_after(reader: PdfFileReader, signed_rev: int) -> int | None:
    """First revision after ``signed_rev`` that adds revocation data to the DSS (B-LT step)."""
    base = _revinfo_count(reader, signed_rev)
    for rev in range(signed_rev + 1, reader.xrefs.total_revisions):
        if _revinfo_count(reader, rev) > base:
            return rev
    return None


def detect_level(reader: PdfFileReader, sig: EmbeddedPdfSignature) -> str | None:
    """PAdES baseline level from the file's structure (B-B, B-T, B-LT, B-LTA), or None if the
    signature is not a PAdES one (e.g. adbe.pkcs7.detached)."""
    if sig.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached":
        return None
    if not _has_signature_timestamp(sig):
        return PadesLevel.B_B.value
    dss_rev = _dss_revision_after(reader, sig.signed_revision)
    if dss_rev is None:
        return PadesLevel.B_T.value
    for ts in reader.embedded_timestamp_signatures:
        # An archive timestamp counts if it covers the DSS added for this signature.
        if ts.signed_revision >= dss_rev and ts.signed_revision > sig.signed_revision:
            return PadesLevel.B_LTA.value
    return PadesLevel.B_LT.value


_LEVEL_RANK = {lvl.value: lvl.rank for lvl in PadesLevel}

_SUBINDIC_TH = {
    "HASH_FAILURE": "เนื้อหาเอกสารถูกแก้ไขหลังลงนาม (ค่าแฮชไม่ตรง)",
    "SIG_CRYPTO_FAILURE": "ลายมือชื่อไม่ถูกต้องทางการเข้ารหัส",
    "FORMAT_FAILURE": "รูปแบบลายมือชื่อไม่ถูกต้อง",
    "REVOKED": "ใบรับรองของผู้ลงนามถูกเพิกถอนก่อนเวลาที่ลงนาม",
    "REVOKED_NO_POE": "ใบรับรองของผู้ลงนามถูกเพิกถอนแล้ว",
    "REVOKED_CA_NO_POE": "ใบรับรองของผู้ออกใบรับรองถูกเพิกถอน",
    "EXPIRED": "ใบรับรองของผู้ลงนามหมดอายุแล้ว",
    "OUT_OF_BOUNDS_NO_POE": "ใบรับรองของผู้ลงนามหมดอายุหรือยังไม่มีผล ณ เวลาที่ตรวจสอบ",
    "OUT_OF_BOUNDS_NOT_REVOKED": "ใบรับรองของผู้ลงนามหมดอายุแล้ว",
    "NOT_YET_VALID": "ใบรับรองของผู้ลงนามยังไม่มีผล ณ เวลาที่ลงนาม",
    "NO_CERTIFICATE_CHAIN_FOUND": "ไม่พบสายใบรับรองไปยังผู้ให้บริการออกใบรับรองที่เชื่อถือ",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": "ตรวจสอบสายใบรับรองหรือสถานะการเพิกถอนไม่ได้",
    "TRY_LATER": "ยังตรวจสอบสถานะการเพิกถอนไม่ได้ ให้ลองใหม่ภายหลัง",
    "NO_POE": "ไม่มีหลักฐานเวลาที่เพียงพอสำหรับการตรวจสอบย้อนหลัง",
    "SIG_CONSTRAINTS_FAILURE": "ลายมือชื่อไม่เป็นไปตามข้อกำหนด",
    "CHAIN_CONSTRAINTS_FAILURE": "สายใบรับรองไม่เป็นไปตามข้อกำหนด",
    "CRYPTO_CONSTRAINTS_FAILURE": "อัลกอริทึมที่ใช้ไม่ปลอดภัยตามนโยบาย",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "อัลกอริทึมที่ใช้ไม่ปลอดภัยตามนโยบาย",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": "ข้อมูลการเพิกถอนที่แนบมาไม่ครอบคลุมเวลาที่ต้องการ",
    "TIMESTAMP_ORDER_FAILURE": "ลำดับเวลาของตราประทับเวลาไม่ถูกต้อง",
}

_MODIFICATION_TH = {
    "NONE": "", "LTA_UPDATES": "เพิ่มข้อมูลสำหรับตรวจสอบระยะยาว", "FORM_FILLING": "กรอกแบบฟอร์มหรือลงนามเพิ่ม",
    "ANNOTATIONS": "เพิ่มหมายเหตุหรือข้อความกำกับ", "OTHER": "แก้ไขเนื้อหาเอกสาร",
}
_REVOKED = {"REVOKED", "REVOKED_NO_POE", "REVOKED_CA_NO_POE"}
# Subindications a missing revocation status can cause (pyHanko reports a responder that cannot be reached
# as a general chain failure): only these are checked again without revocation.
_REVOCATION_MAYBE = {"CERTIFICATE_CHAIN_GENERAL_FAILURE", "TRY_LATER", "REVOCATION_OUT_OF_BOUNDS_NO_POE"}
_EXPIRED = {"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"}


# -- per-signature validation -----------------------------------------------------------------

async def _validate_signature(
    reader: PdfFileReader, sig: EmbeddedPdfSignature, policy: ValidationPolicy, knowledge: LocalKnowledge,
    session=None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {"field": sig.field_name, "type": "signature"}
    flags: list[str] = []
    try:
        entry["signer"] = _cert_info(sig.signer_cert)
    except Exception:  # noqa: BLE001
        entry["signer"] = None
    entry["claimed_signing_time"] = _iso(sig.self_reported_timestamp)
    try:
        level = detect_level(reader, sig)
    except Exception:  # noqa: BLE001 - e.g. a CMS that carries no signer certificate
        level = None
    entry["pades_level"] = level

    # Rules 1-2: integrity and later modifications (diff analysis against the signed revision).
    try:
        sig.compute_integrity_info(diff_policy=DEFAULT_DIFF_POLICY)
        integ = sig.summarise_integrity_info()
        mod = ModificationInfo(**integ)
        mod_level = mod.modification_level
    except Exception as e:  # noqa: BLE001 - a mangled file must still yield a report
        logger.info("integrity analysis failed for %s: %s", sig.field_name, e)
        integ, mod_level = {}, None
        flags.append("integrity_error")
    coverage = integ.get("coverage")
    entry["integrity"] = {
        "coverage": coverage.name if coverage is not None else None,
        "modification_level": mod_level.name if mod_level is not None else None,
        "docmdp_ok": integ.get("docmdp_ok"),
    }
    mod_ok = mod_level is not None and mod_level <= policy.max_modification_level
    if not mod_ok and "integrity_error" not in flags:
        flags.append("modified")
    if integ.get("docmdp_ok") is False and _certified(reader):
        # A certified document changed beyond what its certifier allowed (DocMDP), whatever the policy.
        flags.append("docmdp_violation")

    # Rules 3-4: AdES process chosen by level. B-LT/B-LTA: embedded material first (a failed
    # fetch would otherwise spoil a file that carries everything it needs), online only as a retry.
    async def run(online: bool, revocation: bool = True):
        spec = _spec(policy, knowledge, online, session, revocation)
        if level == PadesLevel.B_LTA.value:
            return await ades_lta_validation(sig, PdfSignatureValidationSpec(spec, diff_policy=None))
        if level in (PadesLevel.B_T.value, PadesLevel.B_LT.value):
            return await ades_with_time_validation(sig.signed_data, spec, raw_digest=sig.compute_digest())
        return await ades_basic_validation(sig.signed_data, spec, raw_digest=sig.compute_digest())

    try:
        if level in (PadesLevel.B_LT.value, PadesLevel.B_LTA.value):
            res = await run(online=False)
            if not isinstance(res.ades_subindic, AdESPassed) and policy.allow_online:
                res = await run(online=True)
        else:
            res = await run(online=policy.allow_online)
        subindic = res.ades_subindic
        status = res.api_status
        failure_msg = res.failure_msg
    except Exception as e:  # noqa: BLE001
        logger.info("AdES validation failed for %s: %s", sig.field_name, e)
        res, subindic, status, failure_msg = None, AdESIndeterminate.GENERIC, None, str(e)

    indication = _indication(subindic)
    entry["ades"] = {"indication": indication, "subindication": subindic.name, "message": failure_msg}
    intact = bool(status.intact) if status is not None else None
    valid = bool(status.valid) if status is not None else None
    entry["integrity"].update({"intact": intact, "valid": valid})
    crypto_failures = (AdESFailure.HASH_FAILURE, AdESFailure.SIG_CRYPTO_FAILURE)
    if intact is False or valid is False or subindic in crypto_failures:
        flags.append("broken")

    path = status.validation_path if status is not None else None
    entry["chain"] = {
        "trusted": bool(status is not None and status.trusted),
        "anchor": path[0].subject.human_friendly if path is not None else None,
        "path": [c.subject.human_friendly for c in path] if path is not None else [],
    }
    if not entry["chain"]["trusted"]:
        # Untrusted, unless the only thing missing is the revocation status (the responder down): then
        # the same signature passes with revocation checking left out, and it is only not yet confirmed.
        only_revocation = False
        if res is not None and path is not None and subindic.name in _REVOCATION_MAYBE:
            try:
                again = await run(online=False, revocation=False)
                only_revocation = isinstance(again.ades_subindic, AdESPassed)
            except Exception:  # noqa: BLE001 - stays untrusted
                only_revocation = False
        flags.append("revocation_unknown" if only_revocation else "untrusted")

    revoked = subindic.name in _REVOKED or (status is not None and status.revoked)
    rev_details = status.revocation_details if status is not None else None
    entry["revocation"] = {
        "status": "revoked" if revoked else ("good" if entry["chain"]["trusted"] else "unknown"),
        "revoked_at": _iso(rev_details.revocation_date) if rev_details else None,
        "reason": rev_details.revocation_reason.native if rev_details else None,
    }
    if revoked:
        flags.append("revoked")
    # Rule 5: the signer's certificate must be within its validity period when the signature was
    # made. pyHanko's with-time process does not check the upper bound once a timestamp exists.
    # The timestamp time is taken unverified from the token only to make a verdict harsher (rule 5).
    ts_time = _signature_ts_time(sig)
    try:
        cert_not_after = sig.signer_cert["tbs_certificate"]["validity"]["not_after"].native
    except Exception:  # noqa: BLE001 - no signer certificate in the CMS: nothing to check it against
        cert_not_after = None
        flags.append("no_signer_certificate")
    signed_after_expiry = ts_time is not None and cert_not_after is not None and ts_time > cert_not_after
    expired = subindic.name in _EXPIRED or signed_after_expiry
    entry["expired"] = expired
    if expired:
        flags.append("expired")
    rev_date = rev_details.revocation_date if rev_details else None
    signed_after_revocation = revoked and ts_time is not None and rev_date is not None and ts_time >= rev_date
    definitive_cert_failure = signed_after_expiry or signed_after_revocation

    ts = getattr(status, "timestamp_validity", None) if status is not None else None
    entry["timestamp"] = {
        "present": level not in (None, PadesLevel.B_B.value),
        "time": _iso(ts.timestamp) if ts is not None else None,
        "tsa": ts.signing_cert.subject.human_friendly if ts is not None else None,
        # None: present but not evaluated (pyHanko stops early, e.g. on a revoked signer).
        "trusted": (ts.trusted and ts.intact and ts.valid) if ts is not None else None,
    }
    if entry["timestamp"]["present"] and entry["timestamp"]["trusted"] is False:
        flags.append("timestamp_untrusted")
    if getattr(res, "oldest_evidence_record_timestamp", None):
        entry["archive_evidence_from"] = _iso(res.oldest_evidence_record_timestamp)

    if policy.min_level and (level is None or _LEVEL_RANK[level] < policy.min_level.rank):
        flags.append("level_below_required")

    if (indication == "FAILED" or {"broken", "modified", "docmdp_violation", "integrity_error"} & set(flags)
            or definitive_cert_failure):
        verdict = "invalid"
    elif indication == "PASSED" and not expired and not revoked and "level_below_required" not in flags:
        verdict = "valid"
    else:
        verdict = "indeterminate"
    entry["status"] = verdict
    entry["flags"] = sorted(set(flags))
    entry["summary_th"] = _summary_th(entry, subindic.name)
    return entry


def _summary_th(e: dict[str, Any], subindic: str) -> str:
    who = (e.get("signer") or {}).get("common_name") or "ไม่ทราบชื่อผู้ลงนาม"
    level = e.get("pades_level") or "ไม่ใช่ PAdES"
    if e["status"] == "valid":
        t = e["timestamp"]["time"]
        when = f" ประทับเวลา {_thai_dt(datetime.fromisoformat(t))}" if t else ""
        return f"ลายมือชื่อของ {who} ถูกต้องและเชื่อถือได้ (ระดับ {level}){when}"
    reasons = []
    if "broken" in e["flags"]:
        reasons.append("เอกสารถูกแก้ไขหลังลงนามหรือลายมือชื่อเสียหาย")
    if "integrity_error" in e["flags"] and "broken" not in e["flags"]:
        reasons.append("ตรวจสอบการแก้ไขเอกสารหลังลงนามไม่ได้ (โครงสร้างแฟ้มผิดปกติ)")
    if "modified" in e["flags"] and "broken" not in e["flags"]:
        change = _MODIFICATION_TH.get(e["integrity"]["modification_level"] or "", "")
        reasons.append("มีการแก้ไขเอกสารหลังลงนามเกินกว่าที่อนุญาต" + (f" ({change})" if change else ""))
    if "docmdp_violation" in e["flags"]:
        reasons.append("เอกสารที่รับรองไว้ถูกแก้ไขเกินกว่าที่ผู้รับรองอนุญาต")
    if "no_signer_certificate" in e["flags"]:
        reasons.append("ลายมือชื่อไม่ได้แนบใบรับรองของผู้ลงนาม")
    if "revocation_unknown" in e["flags"]:
        reasons.append("ยังตรวจสอบสถานะการเพิกถอนใบรับรองไม่ได้ (ผู้ให้บริการตรวจสอบสถานะไม่ตอบ)")
    if "revoked" in e["flags"]:
        reasons.append("ใบรับรองของผู้ลงนามถูกเพิกถอน")
    if "expired" in e["flags"]:
        reasons.append("ใบรับรองของผู้ลงนามหมดอายุ")
    if "level_below_required" in e["flags"]:
        reasons.append(f"ระดับลายมือชื่อ {level} ต่ำกว่าที่กำหนด")
    if not reasons:
        reasons.append(_SUBINDIC_TH.get(subindic, "ตรวจสอบความน่าเชื่อถือของใบรับรองไม่ได้"))
    head = "ลายมือชื่อไม่ถูกต้อง" if e["status"] == "invalid" else "ยังยืนยันลายมือชื่อไม่ได้"
    return f"{head}: {who} (ระดับ {level}) — " + "; ".join(reasons)


async def _validate_doc_timestamp(
    sig: EmbeddedPdfSignature, policy: ValidationPolicy, knowledge: LocalKnowledge, session=None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"field": sig.field_name, "type": "document_timestamp"}
    try:
        res = await ades_timestamp_validation(
            sig.signed_data,
            _spec(policy, knowledge, session=session),
            expected_tst_imprint=sig.compute_digest,
        )
        st = res.api_status
        entry.update({
            "time": _iso(st.timestamp) if st is not None else None,
            "tsa": _cert_info(st.signing_cert) if st is not None else None,
            "intact": bool(st.intact) if st is not None else False,
            "ades": {"indication": _indication(res.ades_subindic), "subindication": res.ades_subindic.name},
        })
    except Exception as e:  # noqa: BLE001
        entry.update({"time": None, "tsa": None, "intact": False,
                      "ades": {"indication": "INDETERMINATE", "subindication": "GENERIC", "message": str(e)}})
    return entry


# -- public API ---------------------------------------------------------------------------------

def _certified(reader: PdfFileReader) -> bool:
    """Whether the document carries a certification signature (DocMDP): pyHanko reports docmdp_ok False for
    any change after signing, which only breaks a promise where a certifier made one."""
    try:
        return reader.root.get("/Perms", {}).get("/DocMDP") is not None
    except Exception:  # noqa: BLE001
        return False


def _open_encrypted(reader: PdfFileReader) -> bool:
    """Open a PDF encrypted with an empty user password, as every viewer does (common for PDFs that only
    restrict printing or copying); False when it needs a password."""
    from pyhanko.pdf_utils.crypt import AuthStatus

    try:
        return reader.decrypt("").status != AuthStatus.FAILED
    except Exception:  # noqa: BLE001 - an unsupported security handler
        return False


def validate_pdf(pdf: bytes, policy: ValidationPolicy) -> dict[str, Any]:
    """Validation report for every signature and archive timestamp in ``pdf`` (JSON-serialisable)."""
    return asyncio.run(async_validate_pdf(pdf, policy))


async def async_validate_pdf(pdf: bytes, policy: ValidationPolicy) -> dict[str, Any]:
    report: dict[str, Any] = {
        "policy": policy.describe(),
        "validated_at": _iso(datetime.now(timezone.utc)),
        "readable": True,
        "signatures": [],
        "document_timestamps": [],
    }
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        if reader.encrypted and not _open_encrypted(reader):
            report.update({"readable": False, "ok": False, "signed": False, "encrypted": True,
                           "summary_th": "แฟ้ม PDF เข้ารหัสด้วยรหัสผ่าน จึงตรวจสอบลายมือชื่อไม่ได้ "
                                         "โปรดขอแฟ้มที่ไม่เข้ารหัสจากผู้ส่ง"})
            return report
        sigs = reader.embedded_regular_signatures
        doc_ts = reader.embedded_timestamp_signatures
    except Exception as e:  # noqa: BLE001
        logger.info("unreadable PDF: %s", e)
        report.update({"readable": False, "ok": False, "signed": False,
                       "summary_th": "อ่านแฟ้ม PDF ไม่ได้ หรือโครงสร้างลายมือชื่อเสียหาย"})
        return report
    knowledge, _dss = _dss_knowledge(reader)
    async with http_session() as session:  # one session for every fetch in this report
        for sig in sigs:
            report["signatures"].append(await _validate_signature(reader, sig, policy, knowledge, session))
        for ts in doc_ts:
            entry = await _validate_doc_timestamp(ts, policy, knowledge, session)
            report["document_timestamps"].append(entry)

    n = len(report["signatures"])
    report["signed"] = n > 0
    n_valid = sum(1 for s in report["signatures"] if s["status"] == "valid")
    n_invalid = sum(1 for s in report["signatures"] if s["status"] == "invalid")
    report["ok"] = n > 0 and n_valid == n
    report["flagged"] = [s["field"] for s in report["signatures"] if s["status"] != "valid"]
    if n == 0:
        report["summary_th"] = "เอกสารนี้ไม่มีลายมือชื่ออิเล็กทรอนิกส์"
    elif report["ok"]:
        report["summary_th"] = f"ลายมือชื่อทั้ง {thai.to_thai_digits(str(n))} รายการถูกต้องและเชื่อถือได้"
    else:
        report["summary_th"] = (
            f"ลายมือชื่อ {thai.to_thai_digits(str(n))} รายการ: ถูกต้อง {thai.to_thai_digits(str(n_valid))} "
            f"ไม่ถูกต้อง {thai.to_thai_digits(str(n_invalid))} "
            f"ยืนยันไม่ได้ {thai.to_thai_digits(str(n - n_valid - n_invalid))}"
        )
    return report

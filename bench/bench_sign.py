"""Signing/validation bench for a two-page letter at each PAdES level.

Run: .venv/bin/python bench/bench_sign.py [--runs N] [--no-pkcs11]
Starts its own test PKI (certomancer on 127.0.0.1) and, if SoftHSM2 is installed, a token.
Prints medians and the ratio to the floor: one RSA-2048 signature plus a SHA-256 of the file,
timed in the same run. Targets: B-T <= 250 ms, B-LTA <= 800 ms (signing).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, utils  # noqa: E402

from signatures import credentials, pades, validation  # noqa: E402
from signatures.testing import (  # noqa: E402
    SAMPLE_SIGNATURE_BOX,
    TestPKI,
    find_softhsm_lib,
    make_softhsm_token,
    sample_letter_pdf,
)

TARGETS_MS = {"B-T": 250.0, "B-LTA": 800.0}
PASS = "bench-pass"
BOX = pades.SignatureBox(*SAMPLE_SIGNATURE_BOX)


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--no-pkcs11", action="store_true")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-sign-") as tmp, TestPKI(Path(tmp) / "pki") as pki:
        trust = pades.TrustSettings(trust_roots=[pki.root], tsa_url=pki.tsa_url)
        policy = validation.ValidationPolicy(trust_roots=[pki.root])
        letter = sample_letter_pdf(pages=2)
        sources = {"p12": (credentials.PKCS12Credential(pki.pkcs12_file("official", PASS)), PASS)}
        if not args.no_pkcs11 and find_softhsm_lib():
            tok = make_softhsm_token(pki, Path(tmp) / "hsm", labels=("official",))
            sources["pkcs11"] = (
                credentials.PKCS11Credential(
                    lib_path=tok.lib, token_label=tok.token_label, key_label="official",
                    extra_certs=(pki.cert("interm"),),
                ),
                tok.pin,
            )

        # Floor: what any signer must do at least, same machine, same run.
        key = serialization.load_pem_private_key(pki.key_pem("official").read_bytes(), password=None)

        def floor():
            digest = hashlib.sha256(letter).digest()
            key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))

        floor_ms = median_ms(floor, max(args.runs, 50))

        print(f"two-page letter: {len(letter)} bytes; runs per figure: {args.runs}")
        print(f"floor (RSA-2048 sign + SHA-256 of file): {floor_ms:.2f} ms\n")
        print(
            f"{'source':8} {'level':6} {'sign ms':>9} {'x floor':>8} "
            f"{'validate ms':>12} {'x floor':>8}  target"
        )
        failed = False
        for src, (cred, secret) in sources.items():
            for level in [lvl.value for lvl in pades.PadesLevel]:
                def sign():
                    return pades.sign_letter(letter, cred, secret, trust=trust, level=level, box=BOX)

                signed = sign()  # warm-up (fonts, first TSA/OCSP connection)
                rep = validation.validate_pdf(signed, policy)
                assert rep["ok"] and rep["signatures"][0]["pades_level"] == level, rep["summary_th"]
                s_ms = median_ms(sign, args.runs)
                v_ms = median_ms(lambda: validation.validate_pdf(signed, policy), args.runs)
                target = TARGETS_MS.get(level)
                verdict = ""
                if target is not None:
                    ok = s_ms <= target
                    failed |= not ok
                    verdict = f"<= {target:.0f} ms {'OK' if ok else 'MISSED'}"
                print(
                    f"{src:8} {level:6} {s_ms:9.1f} {s_ms / floor_ms:8.1f} "
                    f"{v_ms:12.1f} {v_ms / floor_ms:8.1f}  {verdict}"
                )
        return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

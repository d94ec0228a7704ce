"""PAdES signing and validation for the e-Office portal (plain library; not a Django app yet).

- ``credentials``: open a signer from a PKCS#12 file or a PKCS#11 token (secret given per call).
- ``appearance``: WeasyPrint-drawn visible appearances (signature block, ตรารับหนังสือ).
- ``pades``: ``sign_letter``, ``add_receipt_stamp``, ``renew_archive_timestamp``.
- ``validation``: ``validate_pdf`` -> JSON-serialisable report under ``ValidationPolicy``.
- ``errors``: exceptions whose ``str()`` is the Thai message for the official.
- ``testing``: loopback test PKI and SoftHSM2 token for tests and the bench only.
"""

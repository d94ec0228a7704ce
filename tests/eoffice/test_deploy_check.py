"""Production settings pass `manage.py check --deploy` with nothing left to explain."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-production-secret-that-is-long-and-random-enough-0123456789abcdef",
    "DJANGO_ALLOWED_HOSTS": "saraban.example.go.th",
    "EOFFICE_HTTPS": "1",
    "DJANGO_SECURE_HSTS_PRELOAD": "1",
    "DATABASE_URL": "postgres://eoffice@127.0.0.1:1/eoffice",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "EMAIL_URL": "smtp://127.0.0.1:25",
}


def test_check_deploy_is_clean_with_production_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EOFFICE_"))}
    env.update(PRODUCTION_ENV, EOFFICE_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_defaults_are_flagged_by_check_deploy(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EOFFICE_"))}
    env["EOFFICE_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr

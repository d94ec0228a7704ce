"""Every environment variable eoffice/settings.py reads is documented (README.md's Configuration table or
the doc of its subject), and the Configuration table names no variable the settings no longer read."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# env("X"), env.int("X", …), env.db_url("X", …): every read goes through django-environ's Env.
READ = re.compile(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"")


def _settings_reads():
    return set(READ.findall((ROOT / "eoffice" / "settings.py").read_text(encoding="utf-8")))


def _docs():
    return "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def _configuration_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", section, re.M))


def test_the_reader_finds_the_settings_reads():
    reads = _settings_reads()
    assert {"DATABASE_URL", "EMAIL_URL", "EOFFICE_MAX_UPLOAD_BYTES", "EOFFICE_OUTBOX_SMTP_TIMEOUT"} <= reads


def test_every_variable_the_settings_read_is_documented():
    docs = _docs()
    assert sorted(name for name in _settings_reads() if f"`{name}" not in docs) == []


def test_the_configuration_table_names_only_variables_the_settings_read():
    assert sorted(_configuration_table() - _settings_reads()) == []

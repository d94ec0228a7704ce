"""The one Celery app of the portal; tasks are discovered in every installed app."""
import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eoffice.settings")

app = Celery("eoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Scheduled jobs (reminders, digests, year-end duties) live in each app's jobs.py.
app.autodiscover_tasks(related_name="jobs")


@app.on_after_configure.connect
def _make_embedded_folders(sender=None, **kwargs):
    """The file-system broker and result backend expect their folders to exist; make them first."""
    if app.conf.broker_url.startswith("filesystem"):
        for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
            folder = (app.conf.broker_transport_options or {}).get(key)
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)
    backend = app.conf.result_backend or ""
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)


@app.task(name="eoffice.ping")
def ping():
    """Answered by any live worker; /healthz uses the ordinary control ping instead."""
    return "pong"

"""The Celery app: JSON only, time limits from settings, tasks found in every installed app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mps_ict.settings")

app = Celery("mps_ict")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

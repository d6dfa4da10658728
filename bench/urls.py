"""The project's URLs plus /bench/trivial/: the least a signed-in Django JSON view can do, through
the same middleware and the same gunicorn, so the API's throughput has a ceiling to compare with."""

from django.http import JsonResponse
from django.urls import path

from mps_ict.urls import urlpatterns as project_urlpatterns


def trivial(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/trivial/", trivial, name="bench-trivial"), *project_urlpatterns]

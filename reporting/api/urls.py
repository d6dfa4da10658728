from django.urls import path

from reporting.api import views

urlpatterns = [
    path("", views.AssemblyPackView.as_view(), name="assembly"),
    path("snapshots/", views.AssemblySnapshotListView.as_view(), name="assembly-snapshots"),
]

from django.urls import path

from assembly.api import views

urlpatterns = [
    path("", views.AssemblyPackView.as_view(), name="assembly"),
    path("snapshots/", views.AssemblySnapshotListView.as_view(), name="assembly-snapshots"),
]

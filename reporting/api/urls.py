from django.urls import path

from reporting.api import views

urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("assembly/", views.AssemblyPackView.as_view(), name="assembly"),
    path("assembly/snapshots/", views.AssemblySnapshotListView.as_view(), name="assembly-snapshots"),
]

from django.urls import path
from rest_framework.routers import SimpleRouter

from portfolio.api import views

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("status-updates", views.StatusUpdateViewSet, basename="status-update")

urlpatterns = [
    path("capital-programmes/", views.CapitalProgrammeListView.as_view(), name="capital-programme-list"),
    *router.urls,
]

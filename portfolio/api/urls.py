from django.urls import path
from rest_framework.routers import SimpleRouter

from portfolio.api import views

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("programmes", views.ProgrammeViewSet, basename="programme")  # issue 14: the portfolio office
router.register("status-updates", views.StatusUpdateViewSet, basename="status-update")
router.register("benefits", views.BenefitViewSet, basename="benefit")  # issue 14: programme managers
router.register("milestones", views.MilestoneViewSet, basename="milestone")

urlpatterns = [
    path("capital-programmes/", views.CapitalProgrammeListView.as_view(), name="capital-programme-list"),
    *router.urls,
]

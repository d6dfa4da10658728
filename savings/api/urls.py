from django.urls import path
from rest_framework.routers import SimpleRouter

from savings.api import views

router = SimpleRouter()
router.register("plans", views.PlanViewSet, basename="savings-plan")
router.register("categories", views.CategoryViewSet, basename="savings-category")
router.register("initiatives", views.InitiativeViewSet, basename="savings-initiative")
router.register("actuals", views.ActualViewSet, basename="savings-actual")
router.register("versions", views.PlanVersionViewSet, basename="savings-version")
router.register("targets", views.TargetViewSet, basename="savings-target")

urlpatterns = [
    path("summary/", views.SummaryView.as_view(), name="savings-summary"),
    path("breakdown/", views.BreakdownView.as_view(), name="savings-breakdown"),
    path("quarters/close/", views.QuarterCloseView.as_view(), name="savings-quarter-close"),
    path("quarters/reopen/", views.QuarterReopenView.as_view(), name="savings-quarter-reopen"),
    path("quarters/decide/", views.QuarterDecideView.as_view(), name="savings-quarter-decide"),
    path("actuals/import/", views.ActualsImportView.as_view(), name="savings-actuals-import"),
    path("initiatives/import/", views.InitiativesImportView.as_view(), name="savings-initiatives-import"),
    *router.urls,
]

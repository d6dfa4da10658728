from rest_framework.routers import SimpleRouter

from contracts.api import views

router = SimpleRouter()
router.register("suppliers", views.SupplierViewSet, basename="contracts-supplier")
router.register("contracts", views.ContractViewSet, basename="contracts-contract")
router.register("events", views.EventViewSet, basename="contracts-event")

urlpatterns = router.urls

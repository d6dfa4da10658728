from django.urls import path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="contract-list"),
    path("add/", views.contract_add, name="contract-add"),
    path("<int:pk>/", views.contract, name="contract"),
    path("<int:pk>/change/", views.contract_change, name="contract-change"),
    path("<int:pk>/retire/", views.contract_retire, name="contract-retire"),
    path("<int:pk>/events/add/", views.event_add, name="event-add"),
    path("events/", views.event_list, name="event-list"),
    path("events/<int:pk>/", views.event, name="event"),
    path("events/<int:pk>/dependents/", views.event_dependents, name="event-dependents"),
    path("events/<int:pk>/change/", views.event_change, name="event-change"),
    path("events/<int:pk>/retire/", views.event_retire, name="event-retire"),
    path("suppliers/", views.supplier_list, name="supplier-list"),
    path("suppliers/add/", views.supplier_add, name="supplier-add"),
    path("suppliers/<int:pk>/", views.supplier, name="supplier"),
    path("suppliers/<int:pk>/change/", views.supplier_change, name="supplier-change"),
    path("suppliers/<int:pk>/retire/", views.supplier_retire, name="supplier-retire"),
]

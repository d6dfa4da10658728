from django.urls import path

from portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("my-projects/", views.my_projects, name="my-projects"),
    path("capital-programmes/<int:year>/", views.capital_programme_edit, name="capital-programme-edit"),
    path("projects/", views.project_list, name="project-list"),
    path("projects/<slug:code>/", views.project, name="project"),
    path("projects/<slug:code>/status-update/", views.status_update, name="status-update"),
    path("projects/<slug:code>/reprofile/", views.reprofile, name="reprofile"),
]

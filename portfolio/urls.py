from django.urls import path

from portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("my-projects/", views.my_projects, name="my-projects"),
    path("capital-programmes/<int:year>/", views.capital_programme_edit, name="capital-programme-edit"),
    # the portfolio office (issue 14, part 1): before projects/<code>/, so "add-project" is never read as a code
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/add/", views.programme_add, name="programme-add"),
    path("programmes/<int:pk>/change/", views.programme_change, name="programme-change"),
    path("add-project/", views.project_add, name="project-add"),
    path("projects/<slug:code>/change/", views.project_change, name="project-change"),
    path("projects/<slug:code>/sro/", views.sro_change, name="sro-change"),
    path("projects/<slug:code>/gates/request/", views.gate_request, name="gate-request"),
    path("projects/<slug:code>/gates/<int:pk>/decide/", views.gate_decide, name="gate-decide"),
    path("projects/<slug:code>/independent-assessment/", views.assessment_add, name="assessment-add"),
    path("projects/<slug:code>/enables/", views.project_enables, name="project-enables"),
    path("projects/", views.project_list, name="project-list"),
    path("projects/<slug:code>/", views.project, name="project"),
    path("projects/<slug:code>/status-update/", views.status_update, name="status-update"),
    path("projects/<slug:code>/reprofile/", views.reprofile, name="reprofile"),
    # programme managers' project records (issue 14, part 1)
    path("projects/<slug:code>/benefits/add/", views.benefit_add, name="benefit-add"),
    path("projects/<slug:code>/benefits/<int:pk>/change/", views.benefit_change, name="benefit-change"),
    path("projects/<slug:code>/benefits/<int:pk>/retire/", views.benefit_retire, name="benefit-retire"),
    path("projects/<slug:code>/milestones/add/", views.milestone_add, name="milestone-add"),
    path("projects/<slug:code>/milestones/<int:pk>/change/", views.milestone_change, name="milestone-change"),
    path("projects/<slug:code>/status-update/amend/", views.status_update_amend, name="status-update-amend"),
]

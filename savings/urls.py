from django.urls import path

from savings import views

app_name = "savings"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("breakdown/", views.breakdown, name="breakdown"),
    path("spend-baseline/", views.spend_baseline, name="spend-baseline"),
    path("categories/<slug:slug>/", views.category, name="category"),
    path("initiatives/<slug:reference>/", views.initiative, name="initiative"),
    path("actuals/", views.actuals_index, name="actuals"),
    path("actuals/<int:year>/q<int:number>/", views.quarter, name="quarter"),
    path("actuals/<int:year>/q<int:number>/template.xlsx", views.quarter_template, name="quarter-template"),
    path("actuals/<int:year>/q<int:number>/upload/", views.quarter_upload, name="quarter-upload"),
    path(
        "actuals/<int:year>/q<int:number>/upload/confirm/", views.quarter_upload_confirm, name="quarter-upload-confirm"
    ),
    path("actuals/<int:year>/q<int:number>/submit/", views.quarter_submit, name="quarter-submit"),
    path("actuals/<int:year>/q<int:number>/close/", views.quarter_close, name="quarter-close"),
    path("actuals/<int:year>/q<int:number>/reopen/", views.quarter_reopen, name="quarter-reopen"),
    path("actuals/<int:year>/q<int:number>/decide/", views.quarter_decide, name="quarter-decide"),
    path("actuals/<int:year>/q<int:number>/<slug:reference>/", views.actual_edit, name="actual-edit"),
    path("actuals/<int:pk>/approve/", views.actual_approve, name="actual-approve"),
    path("actuals/<int:pk>/return/", views.actual_return, name="actual-return"),
]

from django.urls import path

from savings import views

app_name = "savings"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("breakdown/", views.breakdown, name="breakdown"),
    path("spend-baseline/", views.spend_baseline, name="spend-baseline"),
    # finance maintain the plan ("add" before the slugs it would otherwise be taken for)
    path("categories/add/", views.category_add, name="category-add"),
    path("categories/<slug:slug>/", views.category, name="category"),
    path("categories/<slug:slug>/change/", views.category_change, name="category-change"),
    path("categories/<slug:slug>/withdraw/", views.category_withdraw, name="category-withdraw"),
    path("categories/<slug:slug>/reinstate/", views.category_reinstate, name="category-reinstate"),
    path("initiatives/add/", views.initiative_add, name="initiative-add"),
    path("initiatives/template.xlsx", views.initiatives_template, name="initiatives-template"),
    path("initiatives/upload/", views.initiatives_upload, name="initiatives-upload"),
    path("initiatives/upload/confirm/", views.initiatives_upload_confirm, name="initiatives-upload-confirm"),
    path("initiatives/<slug:reference>/", views.initiative, name="initiative"),
    path("initiatives/<slug:reference>/change/", views.initiative_change, name="initiative-change"),
    path("initiatives/<slug:reference>/phasing/", views.initiative_phasing, name="initiative-phasing"),
    path("initiatives/<slug:reference>/withdraw/", views.initiative_withdraw, name="initiative-withdraw"),
    path("initiatives/<slug:reference>/reinstate/", views.initiative_reinstate, name="initiative-reinstate"),
    path("targets/", views.targets, name="targets"),
    path("targets/<int:year>/", views.target_change, name="target-change"),
    path("targets/<int:year>/remove/", views.target_remove, name="target-remove"),
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
    path("actuals/<int:year>/q<int:number>/<slug:reference>/", views.actual, name="actual"),
    path("actuals/<int:year>/q<int:number>/<slug:reference>/edit/", views.actual_edit, name="actual-edit"),
    path("actuals/<int:year>/q<int:number>/<slug:reference>/correct/", views.actual_correct, name="actual-correct"),
    path("actuals/<int:year>/q<int:number>/<slug:reference>/discard/", views.actual_discard, name="actual-discard"),
    # plan versions (issue 13 part 3)
    path("versions/", views.versions, name="versions"),
    path("versions/compare/", views.version_compare, name="version-compare"),
    path("versions/<int:pk>/change/", views.version_change, name="version-change"),
]

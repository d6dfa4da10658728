"""The reporting floor's pages: the board overview at the root, the Assembly pack under /assembly/
(its URL names keep the `assembly` namespace)."""

from django.urls import include, path

from reporting import views

assembly_patterns = [
    path("", views.pack, name="pack"),
    path("pack.xlsx", views.pack_xlsx, name="pack-xlsx"),
    path("q<int:number>.csv", views.question_csv, name="question-csv"),
    path("freeze/", views.freeze, name="freeze"),
    path("compare/", views.compare, name="compare"),
    path("snapshots/<int:pk>/", views.snapshot, name="snapshot"),
    path("snapshots/<int:pk>/pack.xlsx", views.snapshot_xlsx, name="snapshot-xlsx"),
    path("snapshots/<int:pk>/q<int:number>.csv", views.snapshot_csv, name="snapshot-csv"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("assembly/", include((assembly_patterns, "assembly"))),
]

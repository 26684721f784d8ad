from django.urls import path

from gongkai.penalties import views

urlpatterns = [
    path("", views.dashboard, name="staff-penalties"),
    path("new/", views.decision_create, name="staff-penalty-create"),
    path("rules/", views.rule_sets, name="staff-penalty-rules"),
    path("import/", views.import_page, name="staff-penalties-import"),
    path("import/<str:name>/", views.import_run, name="staff-penalties-import-run"),
    path("import/<str:name>/report/", views.import_report, name="staff-penalties-import-report"),
    path("import/<str:name>/rejected/", views.import_rejected, name="staff-penalties-import-rejected"),
    path("<int:pk>/", views.decision_detail, name="staff-penalty-detail"),
    path("<int:pk>/edit/", views.decision_edit, name="staff-penalty-edit"),
    path("<int:pk>/text/", views.decision_text, name="staff-penalty-text"),
    path("<int:pk>/review/", views.decision_review, name="staff-penalty-review"),
    path("<int:pk>/correct/", views.decision_correct, name="staff-penalty-correct"),
    path("<int:pk>/withdraw/", views.decision_withdraw, name="staff-penalty-withdraw"),
    path("<int:pk>/repairs/new/", views.repair_create, name="staff-penalty-repair-create"),
    path("repairs/<int:pk>/", views.repair_detail, name="staff-penalty-repair"),
    path("evidence/<int:pk>/", views.evidence_download, name="staff-penalty-evidence"),
]

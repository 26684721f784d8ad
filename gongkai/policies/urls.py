from django.urls import path

from gongkai.policies import views

urlpatterns = [
    path("", views.overview, name="staff-policies"),
    path("new/", views.version_new, name="staff-policy-new"),
    path("facts/", views.fact_catalogue, name="staff-policy-facts"),
    path("facts/new/", views.fact_new, name="staff-policy-fact-new"),
    path("facts/imports/<int:pk>/<str:name>/", views.import_report, name="staff-policy-import-file"),
    path("runs/", views.run_list, name="staff-policy-runs"),
    path("disputes/", views.dispute_list, name="staff-policy-disputes"),
    path("disputes/<int:pk>/", views.dispute_detail, name="staff-policy-dispute"),
    path("persons/", views.person_list, name="staff-policy-persons"),
    path("persons/<int:pk>/edit/", views.person_edit, name="staff-policy-person-edit"),
    path("beneficiaries/<int:pk>/", views.beneficiary_detail, name="staff-policy-beneficiary"),
    path("entities/<str:code>/", views.beneficiary_by_code, name="staff-policy-entity"),
    path("cases/<int:pk>/", views.case_detail, name="staff-policy-case"),
    path("services/", views.service_list, name="staff-policy-services"),
    path("services/<int:pk>/", views.service_detail, name="staff-policy-service"),
    path("<str:code>/", views.policy_detail, name="staff-policy-detail"),
    path("<str:code>/settings/", views.policy_settings, name="staff-policy-settings"),
    path("<str:code>/versions/<int:pk>/", views.version_detail, name="staff-policy-version"),
    path("<str:code>/versions/<int:pk>/edit/", views.version_edit, name="staff-policy-version-edit"),
    path("<str:code>/near-miss/", views.near_miss, name="staff-policy-near-miss"),
    path("<str:code>/cases/", views.case_list, name="staff-policy-cases"),
]

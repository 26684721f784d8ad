from django.urls import path

from gongkai.registry import views

urlpatterns = [
    path("", views.entity_list, name="staff-entity-list"),
    path("<str:code>/", views.entity_detail, name="staff-entity-detail"),
    path("<str:code>/status/", views.entity_status_change, name="staff-entity-status"),
]

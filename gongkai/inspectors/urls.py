from django.urls import path

from gongkai.inspectors import views

urlpatterns = [
    path("", views.officer_list, name="staff-officer-list"),
    path("<str:code>/", views.officer_detail, name="staff-officer-detail"),
]

from django.contrib.auth import views as auth_views
from django.urls import path

from gongkai.core import views

urlpatterns = [
    path("", views.staff_home, name="staff-home"),
    path("login/", views.StaffLoginView.as_view(), name="staff-login"),
    path("logout/", auth_views.LogoutView.as_view(), name="staff-logout"),
    path("audit/", views.audit_log, name="staff-audit"),
    path("calendar/", views.calendar_page, name="staff-calendar"),
]

from django.urls import path

from gongkai.stats import views

urlpatterns = [
    path("", views.due_dashboard, name="staff-due"),
]

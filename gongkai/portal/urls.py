from django.urls import path

from gongkai.portal import views

urlpatterns = [
    path("", views.home, name="portal-home"),
]

from django.urls import path

from gongkai.search import views

urlpatterns = [
    path("", views.search, name="public-search"),
]

from django.urls import path

from gongkai.search import views

urlpatterns = [
    path("synonyms/", views.synonyms, name="staff-search-synonyms"),
]

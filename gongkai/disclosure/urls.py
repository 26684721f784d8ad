from django.urls import path

from gongkai.disclosure import views

urlpatterns = [
    path("disclosure/", views.catalogue, name="public-catalogue"),
    path("disclosure/guide/", views.disclosure_guide, name="public-disclosure-guide"),
    path("policies/", views.documents, name="public-documents"),
    path("policies/<int:pk>/", views.document, name="public-document"),
    path("interpretations/", views.interpretations, name="public-interpretations"),
    path("interpretations/<int:pk>/", views.interpretation, name="public-interpretation"),
    path("services/", views.guides, name="public-guides"),
    path("services/<int:pk>/", views.guide, name="public-guide"),
    path("forms/", views.forms_page, name="public-forms"),
    path("files/<int:pk>/", views.attachment, name="public-file"),
]

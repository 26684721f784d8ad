from django.urls import path

from gongkai.stats import views

urlpatterns = [
    path("", views.public_stats, name="public-stats"),
    path("<str:name>.csv", views.public_csv, name="public-stats-csv"),
]

from django.urls import path

from gongkai.penalties import public

urlpatterns = [
    path("", public.index, name="public-penalties"),
    path("export.csv", public.export_csv, name="public-penalties-csv"),
    path("feed.xml", public.LatestFeed(), name="public-penalties-feed"),
    path("api/decisions.json", public.api_list, name="public-penalties-api"),
    path("api/decisions/<str:public_id>.json", public.api_detail, name="public-penalty-api"),
    path("<str:public_id>/", public.decision_page, name="public-penalty"),
]

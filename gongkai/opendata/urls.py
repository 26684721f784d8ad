from django.urls import path, re_path

from gongkai.opendata import feeds, views

urlpatterns = [
    path("open-data/", views.index, name="opendata-index"),
    path("open-data/subscribe/", views.subscribe, name="opendata-subscribe"),
    path("open-data/confirm/<str:token>/", views.confirm, name="opendata-confirm"),
    path("open-data/unsubscribe/<str:token>/", views.unsubscribe, name="opendata-unsubscribe"),
    path("open-data/<str:day>/<str:name>", views.download, name="opendata-file"),
    # Any list page's feed: "/penalties/feed?district=…" is the feed of "/penalties/?district=…".
    # The API's own paths are left to the API (an id may be "feed").
    re_path(r"^(?!api/)(?P<list_path>(?:[\w-]+/)+)feed$", feeds.ListFeed(), name="opendata-feed"),
]

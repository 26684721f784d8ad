from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

from gongkai.penalties import public

urlpatterns = [
    path("", public.index, name="public-penalties"),
    path("export.csv", public.export_csv, name="public-penalties-csv"),
    # The feed of this list is the open-data feed of any list (``/penalties/feed?…``); this older
    # address stays for existing subscribers.
    path(
        "feed.xml",
        RedirectView.as_view(
            url=reverse_lazy("opendata-feed", kwargs={"list_path": "penalties/"}),
            permanent=True,
            query_string=True,
        ),
        name="public-penalties-feed-old",
    ),
    path("api/decisions.json", public.api_list, name="public-penalties-api"),
    path("api/decisions/<str:public_id>.json", public.api_detail, name="public-penalty-api"),
    path("<str:public_id>/", public.decision_page, name="public-penalty"),
]

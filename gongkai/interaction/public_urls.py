from django.urls import path

from gongkai.interaction import annual_views, public

urlpatterns = [
    path("messages/", public.messages_index, name="public-messages"),
    path("messages/new/", public.message_new, name="public-message-new"),
    path("messages/track/", public.message_track_lookup, name="public-message-track-lookup"),
    path("messages/track/<str:code>/", public.message_track, name="public-message-track"),
    path("messages/<int:pk>/", public.message_public, name="public-message"),
    path("satisfaction/", public.satisfaction, name="public-satisfaction"),
    path("foi/", public.foi_index, name="public-foi"),
    # The portal's navigation names this column "public-foia"; both names lead to the same page.
    path("foi/", public.foi_index, name="public-foia"),
    path("foi/new/", public.foi_new, name="public-foi-new"),
    path("foi/track/", public.foi_track_lookup, name="public-foi-track-lookup"),
    path("foi/track/<str:code>/", public.foi_track, name="public-foi-track"),
    path("foi/track/<str:code>/letters/<int:pk>/<str:fmt>/", public.foi_letter, name="public-foi-letter"),
    path("reports/", annual_views.public_list, name="public-annual-reports"),
    path("reports/<int:year>/", annual_views.public_detail, name="public-annual-report"),
    path("reports/<int:year>/<str:fmt>/", annual_views.public_download, name="public-annual-report-file"),
]

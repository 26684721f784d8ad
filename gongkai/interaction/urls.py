from django.urls import path

from gongkai.interaction import annual_views, views

urlpatterns = [
    path("", views.message_queue, name="staff-messages"),
    path("messages/<int:pk>/", views.message_detail, name="staff-message-detail"),
    path("attachments/<int:pk>/", views.message_attachment, name="staff-message-attachment"),
    path("requests/", views.request_list, name="staff-requests"),
    path("requests/new/", views.request_create, name="staff-request-create"),
    path("requests/<int:pk>/", views.request_detail, name="staff-request-detail"),
    path("letters/<int:pk>/<str:fmt>/", views.letter_download, name="staff-letter"),
    path("settings/", views.settings_page, name="staff-interaction-settings"),
    path("templates/", views.template_list, name="staff-template-list"),
    path("templates/<str:key>/", views.template_edit, name="staff-template-edit"),
    path("reports/", annual_views.report_list, name="staff-annual-reports"),
    path("reports/<int:pk>/", annual_views.report_detail, name="staff-annual-report"),
    path("reports/<int:pk>/<str:fmt>/", annual_views.report_download, name="staff-annual-report-file"),
]

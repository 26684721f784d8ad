from django.urls import path

from gongkai.portal import views

urlpatterns = [
    path("", views.home, name="portal-home"),
    path("column/<slug:slug>/", views.column_page, name="portal-column"),
    path("query/entities/", views.entities, name="portal-entities"),
    path("query/entities/<str:code>/", views.entity, name="portal-entity"),
    path("query/verify-draw/", views.verify_draw, name="portal-verify-draw"),
    path("accessibility/", views.accessibility, name="portal-accessibility"),
    path("preferences/", views.preferences, name="portal-preferences"),
    path("sitemap/", views.sitemap_page, name="portal-sitemap"),
    path("sitemap.xml", views.sitemap_xml, name="portal-sitemap-xml"),
    path("robots.txt", views.robots_txt, name="portal-robots"),
]

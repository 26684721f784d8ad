from django.urls import path

from gongkai.policies import public

urlpatterns = [
    path("", public.index, name="public-benefits"),
    path("<str:code>/", public.policy_page, name="public-benefit"),
]

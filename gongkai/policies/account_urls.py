from django.urls import path

from gongkai.policies import account

urlpatterns = [
    path("", account.home, name="account-home"),
    path("login/", account.AccountLogin.as_view(), name="account-login"),
    path("logout/", account.account_logout, name="account-logout"),
    path("invitations/<str:token>/", account.invitation, name="account-invitation"),
    path("login/<str:name>/", account.external_start, name="account-external-start"),
    path("login/<str:name>/finish/", account.external_finish, name="account-external-finish"),
    path("inbox/", account.inbox, name="account-inbox"),
    path("policies/<str:code>/", account.policy_page, name="account-policy"),
    path("policies/<str:code>/supply/", account.supply, name="account-supply"),
    path("policies/<str:code>/confirm/", account.confirm, name="account-confirm"),
    path("policies/<str:code>/decline/", account.decline, name="account-decline"),
    path("policies/<str:code>/dispute/", account.dispute, name="account-dispute"),
]

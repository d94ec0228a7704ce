from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from eoffice import access_events, password_views, twofactor_views, views

admin.site.site_header = "ระบบสารบรรณอิเล็กทรอนิกส์ — ผู้ดูแลระบบ"
admin.site.site_title = "ผู้ดูแลระบบสารบรรณ"
admin.site.index_title = "ข้อมูลอ้างอิงและผู้ใช้"

urlpatterns = [
    # The officials' pages; their dashboard answers "/" (the "home" name below still reverses to it).
    path("", include("correspondence.urls")),
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", password_views.PasswordChange.as_view(), name="password-change"),
    path("account/password/done/", password_views.PasswordChanged.as_view(), name="password-changed"),
    path("account/two-factor/", twofactor_views.verify, name="two-factor"),
    path("account/two-factor/setup/", twofactor_views.setup, name="two-factor-setup"),
    path("api/v1/auth/second-factor/", twofactor_views.api_verify, name="api-second-factor"),
    # Before the API's own route of the same path: the token endpoint with the login throttling's answer.
    path("api/v1/auth/token/", access_events.token_view(), name="api-token-throttled"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("correspondence.api.urls")),
    path("exchange/v1/", include("correspondence.exchange.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: Swagger UI works under the strict CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from eoffice import views

admin.site.site_header = "ระบบสารบรรณอิเล็กทรอนิกส์ — ผู้ดูแลระบบ"
admin.site.site_title = "ผู้ดูแลระบบสารบรรณ"
admin.site.index_title = "ข้อมูลอ้างอิงและผู้ใช้"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

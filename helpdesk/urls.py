from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from helpdesk import health, metrics, views
from helpdesk.forms import LoginForm
from tickets import public_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),  # probes: see helpdesk/health.py (ProbeMiddleware)
    path("healthz/pipeline", health.pipeline, name="healthz_pipeline"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path(
        "masuk/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("dua-faktor/", include("helpdesk.twofactor")),
    path("", include("desk.urls")),  # before tickets': it holds /tiket/massal/
    path("tiket/", include("tickets.urls")),
    path("sinkron/", include("sync.urls")),
    path("keluarga/", include("families.urls")),
    path("dokumen/", include("documents.urls")),
    path("cek-status/", public_views.status, name="public_status"),
    path("cek-status/lupa-kode/", public_views.resend_code, name="public_resend"),
    path("api/v1/status", public_views.status_json, name="public_status_json"),
    path("whatsapp/", include("whatsapp.urls")),
    path("audit/", include("audit.urls")),
    path("wilayah/", include("offices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Sinkron · Admin"
admin.site.site_title = "Sinkron"

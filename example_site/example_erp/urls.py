from django.urls import path

from . import views

app_name = "example_erp"

urlpatterns = [
    path("", views.cases, name="cases"),
    path("webhook/<slug:company>/", views.webhook, name="webhook"),
    path("cases/<int:pk>/", views.act, name="act"),
]

from django.apps import AppConfig


class ExampleErpConfig(AppConfig):
    name = "example_erp"
    verbose_name = "Beispiel-ERP"
    default_auto_field = "django.db.models.BigAutoField"

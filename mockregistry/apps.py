from django.apps import AppConfig


class MockRegistryConfig(AppConfig):
    name = "mockregistry"
    verbose_name = "Mock central population registry"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class TechniciansConfig(AppConfig):
    name = "technicians"
    # Shown in the admin's Settings area beside online booking and scheduler accounts; the
    # admin site folds same-named apps into one.
    verbose_name = "Settings"

from django.apps import AppConfig


class SchedulerAccountsConfig(AppConfig):
    name = "schedulerAccounts"
    # The folder keeps the design card's name; tables and URL names read snake_case.
    label = "scheduler_accounts"
    verbose_name = "Scheduler accounts"

from django.apps import AppConfig


class SchedulerAccountsConfig(AppConfig):
    name = "schedulerAccounts"
    # The folder keeps the design card's name; tables and URL names read snake_case.
    label = "scheduler_accounts"
    # Shown in the admin's Settings area, beside the shop's other settings (the contract's
    # "Settings -> Scheduler Accounts"); the admin site folds same-named apps into one.
    verbose_name = "Settings"

"""A scheduler account's portal logins move from one user on the account to its agents, one row
each, so several people of a partner each sign in as themselves."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def logins_to_agents(apps, schema_editor):
    SchedulerAccount = apps.get_model("scheduler_accounts", "SchedulerAccount")
    PortalAgent = apps.get_model("scheduler_accounts", "PortalAgent")
    PortalAgent.objects.bulk_create(
        PortalAgent(account_id=account.pk, user_id=account.user_id)
        for account in SchedulerAccount.objects.exclude(user=None)
    )


def agents_to_logins(apps, schema_editor):
    """Back to one login per account: the first agent's; the other agents' users stay."""
    SchedulerAccount = apps.get_model("scheduler_accounts", "SchedulerAccount")
    PortalAgent = apps.get_model("scheduler_accounts", "PortalAgent")
    for agent in PortalAgent.objects.order_by("account_id", "pk"):
        SchedulerAccount.objects.filter(pk=agent.account_id, user=None).update(user=agent.user_id)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduler_accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PortalAgent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="agents",
                        to="scheduler_accounts.scheduleraccount",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="portal_agent",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "portal login",
                "ordering": ["account", "user__username"],
            },
        ),
        migrations.RunPython(logins_to_agents, agents_to_logins),
        migrations.RemoveField(model_name="scheduleraccount", name="user"),
    ]

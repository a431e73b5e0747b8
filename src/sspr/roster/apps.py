from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "sspr.roster"
    verbose_name = "Rosters"

from django.apps import AppConfig


class EmbeddedDirectoryConfig(AppConfig):
    name = "sspr.directory.embedded"
    label = "embedded_directory"
    verbose_name = "Embedded directory"

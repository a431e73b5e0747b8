from django.contrib.auth.management.commands.createsuperuser import Command as CreateSuperUser


class Command(CreateSuperUser):
    help = ("Create an operator account for the admin pages (IT staff; a local password, not a directory "
            "account). Non-interactive: --noinput with DJANGO_SUPERUSER_USER_ID and DJANGO_SUPERUSER_PASSWORD.")

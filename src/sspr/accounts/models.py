"""Local records of the people who use the portal.

The password never lives here: it lives in the directory (sspr.directory). A row here exists so
Django's sessions, and later the security info, have something to point at. Operators (IT staff
who use the admin) are the only rows with a local password, and a directory sign-in can never
land on an operator's row.
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.crypto import salted_hmac


class UserManager(BaseUserManager["User"]):
    def create_user(self, user_id, password=None, **fields):
        user = self.model(user_id=user_id.strip().lower(), **fields)
        user.set_password(password)  # None gives an unusable password: directory users
        user.save(using=self._db)
        return user

    def create_superuser(self, user_id, password=None, **fields):
        fields.update(is_operator=True, is_staff=True, is_superuser=True)
        return self.create_user(user_id, password, **fields)

    def get_by_natural_key(self, user_id):
        return self.get(user_id=user_id.strip().lower())


class User(AbstractBaseUser, PermissionsMixin):
    user_id = models.CharField(max_length=254, unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    is_operator = models.BooleanField(default=False, help_text="IT staff with a local password for the admin.")
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # Raised whenever every session of this person must end (password changed or reset).
    session_generation = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Security info: when the person last said their methods are current, and how many times
    # they skipped registering after sign-in.
    security_info_confirmed_at = models.DateTimeField(null=True, blank=True)
    registration_skips = models.PositiveIntegerField(default=0)

    USERNAME_FIELD = "user_id"
    REQUIRED_FIELDS = []
    objects = UserManager()

    def __str__(self):
        return self.user_id

    def get_session_auth_hash(self):
        # Django ends a session whose stored hash no longer matches; directory users have no
        # local password to hash, so the generation counter stands in for it.
        key_salt = "sspr.accounts.User.get_session_auth_hash"
        material = f"{self.password}:{self.session_generation}"
        return salted_hmac(key_salt, material, algorithm="sha256").hexdigest()

    def end_all_sessions(self):
        User.objects.filter(pk=self.pk).update(session_generation=models.F("session_generation") + 1)
        self.refresh_from_db(fields=["session_generation"])


class OperatorAuthenticator(models.Model):
    """An operator's second step at the admin: the key of an authenticator app (TOTP), issued by
    `sspr createadmin` and kept sealed (sspr.methods.crypto), never a phone or email method."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="operator_authenticator")
    sealed_secret = models.TextField()
    # The newest 30-second step whose code was accepted: that code and earlier ones are refused.
    last_step = models.BigIntegerField(default=-1)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user} authenticator app"


class ApiKey(models.Model):
    """A key a program presents to the API (sspr.api): created by an admin, shown once, kept only
    as a keyed hash of its secret, found by its public prefix, revocable. It acts with one of the
    console's roles (and, for a school help desk, a school) and only within its scopes."""

    name = models.CharField(max_length=40, unique=True)
    prefix = models.CharField(max_length=16, unique=True)   # the public part of the key, for finding it
    key_hash = models.CharField(max_length=64)
    role = models.CharField(max_length=20)
    school = models.CharField(max_length=200, blank=True)
    scopes = models.JSONField(default=list)
    created_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

"""Find the configured directory back-end. Back-ends are named in BACKENDS and imported on
first use, so a deployment on the embedded store never imports LDAP libraries."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Directory

BACKENDS = {
    "embedded": "sspr.directory.embedded.backend.EmbeddedDirectory",
    "ldap": "sspr.directory.ldap.openldap.OpenLdapDirectory",
    "ad": "sspr.directory.ldap.ad.ActiveDirectory",
}


@cache
def get_directory() -> Directory:
    name = settings.CONFIG.directory.backend
    if name not in BACKENDS:
        raise LookupError(f"directory.backend: {name!r} is not available yet")
    return import_string(BACKENDS[name])(settings.CONFIG)

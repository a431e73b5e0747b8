"""Find the configured directory back-end. Back-ends are named in BACKENDS and imported on
first use, so a deployment on the embedded store never imports LDAP libraries.

The configuration schema imports this package too (each back-end owns the model of its
`[directory]` keys, see sspr.directory.settings), and configuration is loaded before Django
is set up, by code that must not need Django. So nothing here imports Django until a
directory is asked for.
"""

from functools import cache
from importlib import import_module

from .base import Directory

BACKENDS = {
    "embedded": "sspr.directory.embedded.backend.EmbeddedDirectory",
    "ldap": "sspr.directory.ldap.openldap.OpenLdapDirectory",
    "ad": "sspr.directory.ldap.ad.ActiveDirectory",
}


@cache
def get_directory() -> Directory:
    from django.conf import settings  # not at the top: see the module docstring

    name = settings.CONFIG.directory.backend
    if name not in BACKENDS:
        raise LookupError(f"directory.backend: {name!r} is not available yet")
    module, class_name = BACKENDS[name].rsplit(".", 1)
    return getattr(import_module(module), class_name)(settings.CONFIG)

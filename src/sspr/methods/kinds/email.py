from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..masking import mask_email
from .sent_code import SentCodeMethod


def is_organisation_address(address: str) -> bool:
    domain = address.rpartition("@")[2].lower()
    return any(domain == own or domain.endswith("." + own) for own in settings.CONFIG.directory.domains)


class Email(SentCodeMethod):
    kind = "email"
    label = gettext_lazy("Authentication email")
    strength = 2
    assurance = 1
    channels = {"send": "email"}

    def mask(self, destination):
        return mask_email(destination)

    def options(self, method):
        return [("email", _("Email my alternate email (%(address)s)") % {"address": mask_email(method.destination)})]

    def prefill(self, person):
        return {"destination": person.alternate_email}

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..masking import mask_email
from ..models import Method
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

    stand_in_share = 1.0
    PROVIDERS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com")

    def stand_in_method(self, seed):
        local = chr(97 + seed[1] % 26) + chr(97 + seed[2] % 26) + "xxxxx"
        return Method(kind=self.kind, destination=f"{local}@{self.PROVIDERS[seed[3] % len(self.PROVIDERS)]}")

    def mask(self, destination):
        return mask_email(destination)

    def options(self, method):
        return [("email", _("Email my alternate email (%(address)s)") % {"address": mask_email(method.destination)})]

    def prefill(self, person):
        return {"destination": person.alternate_email}

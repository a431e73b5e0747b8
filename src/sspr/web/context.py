from django.conf import settings


def branding(request):
    # base_url: the portal's own address, for a page that must send someone there (a passkey
    # belongs to it and to no other).
    return {"branding": settings.CONFIG.branding, "demo": settings.DEMO, "base_url": settings.BASE_URL}

from django.conf import settings


def branding(request):
    return {"branding": settings.CONFIG.branding, "demo": settings.DEMO}

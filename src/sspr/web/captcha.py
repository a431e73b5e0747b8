"""The reset CAPTCHA's picture and sound (sspr.reset.captcha issues and checks the challenges)."""

from django.http import Http404, HttpResponse
from django.urls import path
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sspr.reset import captcha, captcha_media


def _challenge(request, form_id: str, ref: str) -> dict:
    record = captcha.live_image_challenge(request.session, form_id, ref)
    if record is None:
        raise Http404("no such challenge")
    return record


def _media(body: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Length"] = str(len(body))
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@never_cache
def image_view(request, form_id: str, ref: str):
    return _media(captcha_media.png(captcha.answers(_challenge(request, form_id, ref))[0]), "image/png")


@require_GET
@never_cache
def audio_view(request, form_id: str, ref: str):
    answer = captcha.answers(_challenge(request, form_id, ref))[1]
    return _media(captcha_media.wav(answer, get_language() or "en"), "audio/wav")


captcha_urls = [
    path("reset/captcha/<slug:form_id>/<slug:ref>.png", image_view, name="captcha_image"),
    path("reset/captcha/<slug:form_id>/<slug:ref>.wav", audio_view, name="captcha_audio"),
]

"""The console's page of API keys, for admins: the keys, making one (shown once) and revoking
one. The command line does the same (`sspr apikey`); both call services.apikeys."""

from contextlib import suppress

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sspr.services import apikeys
from sspr.services.staff import KEY_ROLES

from .console import console_page, staff_actor


def admin_only(request) -> None:
    if not request.staff.manages_keys:
        raise PermissionDenied(_("Only an admin manages API keys."))


@console_page
def keys(request):
    admin_only(request)
    context = {"keys": apikeys.all_keys(), "roles": [str(role) for role in KEY_ROLES], "scopes": list(apikeys.SCOPES)}
    if request.method != "POST":
        return render(request, "console/apikeys.html", context)
    try:
        row, key = apikeys.create(staff_actor(request), request.POST.get("name", "").strip(),
                                  request.POST.get("role", ""), request.POST.getlist("scopes"),
                                  school=request.POST.get("school", ""))
    except apikeys.KeyRefused as exc:
        return render(request, "console/apikeys.html", {**context, "error": exc.message}, status=400)
    return render(request, "console/apikeys.html", {**context, "keys": apikeys.all_keys(), "new_key": key,
                                                    "new_row": row})


@console_page
def revoke(request, name: str):
    admin_only(request)
    if request.method == "POST":
        with suppress(apikeys.KeyRefused):  # no such key: the list shows what there is
            apikeys.revoke(staff_actor(request), name)
    return redirect("console_apikeys")

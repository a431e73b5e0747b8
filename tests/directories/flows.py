"""What a person does in the portal, as the Django test client does it."""

import io

from django.core.management import call_command

NEW = "Purple lanterns drift over quiet harbors!"
NEWER = "Seven copper kettles hum at midnight"
WRONG_SIGNIN = "Your user ID or password is incorrect."
HOSTILE_USER_IDS = ["*", "adm*", ")(uid=*", "\\00", "\x00", "*)(|(mail=*", "p*@student.district.example",
                    "*@student.district.example", "(", "\\2a", "a)(objectClass=*", "\\"]


def sign_in(client, person, password=None):
    return client.post("/signin/", {"user_id": person.user_id, "password": password or person.password})


def change(client, person, old=None, new=NEW):
    return client.post("/account/password/", {
        "old_password": old if old is not None else person.password, "new_password": new, "confirm_password": new,
    })


def sspr_check() -> tuple[int, str]:
    """(exit code, what it printed) of `sspr check`'s back-end half."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_setup", stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()

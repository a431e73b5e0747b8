"""A hundred wrong answers sent at once against one account: the verification step judges at
most `methods.failures_per_account` of them, and refuses the rest with the cool-down, on every
database the suite runs on (SQLite, then PostgreSQL)."""

import pytest

from sspr.audit.models import AuditEvent, Reason, Tag
from sspr.methods.base import VerificationFailed
from sspr.methods.crypto import seal
from sspr.methods.kinds.totp import new_secret

from ..test_limits import in_threads
from .conftest import give_method, verify_with


@pytest.mark.django_db(transaction=True)
def test_a_hundred_parallel_wrong_codes_stop_exactly_at_the_threshold(student, settings):
    method = give_method(student, "totp", sealed_secret=seal(new_secret()))
    _ = method.user  # loaded here, not in the threads

    def wrong_answer():
        try:
            verify_with(method, {"code": "00000a"})
        except VerificationFailed as refused:
            return refused.reason
        return "accepted"

    reasons = in_threads(100, wrong_answer)
    threshold = settings.CONFIG.methods.failures_per_account
    assert reasons.count(Reason.WRONG_ANSWER) == threshold
    assert reasons.count(Reason.COOL_DOWN) == 100 - threshold
    judged = AuditEvent.objects.filter(tag=Tag.VERIFY_FAILURE, reason=Reason.WRONG_ANSWER).count()
    assert judged == threshold

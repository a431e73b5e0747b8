"""Rate limits (sspr.limits): acquire() checks and counts in one step, windows slide, and each
back-end stays exact when a hundred requests race. The behaviours run against both back-ends
(`limits_backend`): the database, on SQLite and on PostgreSQL (`scripts/with-postgres` runs this
file against a real server), and a real Redis started for the session."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from sspr.limits import Decision, Limit, LimitsUnavailable, claim_once
from sspr.limits.models import Counter

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=10)
SECOND, MINUTE = timedelta(seconds=1), timedelta(minutes=1)


@pytest.fixture
def clock(time_machine):
    """Time stands still at T0 until a test moves it: clock(offset) is T0 + offset."""
    time_machine.move_to(T0, tick=False)
    return lambda offset: time_machine.move_to(T0 + offset, tick=False)


@pytest.fixture(params=["database", "redis"])
def limits_backend(request):
    """Each back-end in turn: the behaviours of a limit are the same wherever its log is kept."""
    if request.param == "redis":
        request.getfixturevalue("redis_limits")
    return request.param


def refused(wait: timedelta) -> Decision:
    return Decision(allowed=False, retry_after=wait)


@pytest.mark.django_db
def test_exactly_the_maximum_is_allowed_then_the_wait_runs_until_the_oldest_hit_leaves(limits_backend, clock):
    limit = Limit("test:threshold", 3, WINDOW)
    assert [limit.acquire("k") for _ in range(3)] == [Decision(allowed=True, retry_after=None)] * 3
    assert limit.acquire("k") == refused(WINDOW)
    assert limit.acquire("another key")
    assert Limit("test:another-name", 3, WINDOW).acquire("k")


def test_a_limit_allows_at_least_one_hit_in_a_window_of_some_length():
    for maximum, window in ((0, WINDOW), (1, timedelta(0))):
        with pytest.raises(ValueError, match="test:empty"):
            Limit("test:empty", maximum, window)


@pytest.mark.django_db
def test_refused_attempts_are_not_counted(limits_backend, clock):
    limit = Limit("test:refused", 2, WINDOW)
    assert limit.acquire("k") and limit.acquire("k")
    clock(WINDOW / 2)
    assert not any(limit.acquire("k") for _ in range(5))
    clock(WINDOW)  # the two hits leave; the five refusals were never in
    assert limit.acquire("k") and limit.acquire("k")
    assert limit.acquire("k") == refused(WINDOW)


@pytest.mark.django_db
def test_hits_of_one_moment_leave_the_window_together(limits_backend, clock):
    limit = Limit("test:burst", 10, WINDOW)
    assert all(limit.acquire("k") for _ in range(10))
    clock(WINDOW - SECOND)
    assert limit.peek("k") == SECOND
    assert limit.acquire("k") == refused(SECOND)
    clock(WINDOW + SECOND)
    assert limit.peek("k") is None
    assert all(limit.acquire("k") for _ in range(10))
    assert limit.acquire("k") == refused(WINDOW)


@pytest.mark.django_db
def test_the_window_slides_instead_of_starting_again(limits_backend, clock):
    limit = Limit("test:slide", 10, WINDOW)
    assert limit.acquire("k")
    clock(5 * MINUTE)
    assert all(limit.acquire("k") for _ in range(9))
    # Only the first hit has left: one more, where a window fixed at T0 would let ten through.
    clock(WINDOW + SECOND)
    assert limit.acquire("k")
    assert limit.acquire("k") == refused(5 * MINUTE - SECOND)


@pytest.mark.django_db
def test_spread_hits_leave_the_window_one_by_one(limits_backend, clock):
    limit = Limit("test:spread", 5, WINDOW)
    for minute in range(5):
        clock(minute * MINUTE)
        assert limit.acquire("k")
    waits = []
    for minute in range(5):
        clock(WINDOW + minute * MINUTE)  # the very moment the hit made at `minute` leaves
        assert limit.acquire("k")
        waits.append(limit.acquire("k").retry_after)
    # The last wait is for the first of the hits just made, at WINDOW: it leaves at 2 * WINDOW.
    assert waits == [MINUTE, MINUTE, MINUTE, MINUTE, WINDOW - 4 * MINUTE]


@pytest.mark.django_db
def test_peek_counts_nothing(limits_backend, clock):
    limit = Limit("test:peek", 2, WINDOW)
    assert [limit.peek("k") for _ in range(5)] == [None] * 5
    assert limit.acquire("k") and limit.acquire("k")
    assert [limit.peek("k") for _ in range(5)] == [WINDOW] * 5
    clock(WINDOW)
    assert limit.acquire("k") and limit.acquire("k")


@pytest.mark.django_db
def test_reset_forgets_every_hit_of_the_key_and_only_of_that_key(limits_backend, clock):
    limit = Limit("test:reset", 3, WINDOW)
    for key in ("k", "other"):
        assert all(limit.acquire(key) for _ in range(3))
    limit.reset("k")
    assert limit.peek("k") is None
    assert all(limit.acquire("k") for _ in range(3))
    assert limit.peek("other") == WINDOW


@pytest.mark.django_db
def test_rows_whose_hits_have_all_left_are_deleted_when_a_new_row_is_made(clock):
    limit = Limit("test:prune", 1, WINDOW)
    for key in ("a", "b", "c"):
        limit.acquire(key)
    clock(5 * MINUTE)
    limit.acquire("still counting")
    clock(WINDOW)
    assert Counter.objects.count() == 4  # nothing new yet, nothing pruned
    limit.acquire("new")
    assert sorted(Counter.objects.values_list("key", flat=True)) == ["new", "still counting"]


@pytest.mark.django_db
def test_a_claim_is_granted_once_per_name_and_key_within_its_lifetime(limits_backend, clock):
    lifetime = timedelta(minutes=61)
    assert claim_once("test:claim", "nonce-1", lifetime)
    assert not claim_once("test:claim", "nonce-1", lifetime)
    assert claim_once("test:claim", "nonce-2", lifetime)
    assert claim_once("test:another-claim", "nonce-1", lifetime)
    clock(lifetime - SECOND)
    assert not claim_once("test:claim", "nonce-1", lifetime)
    # After its lifetime the mark is forgotten (what it guarded has expired by then).
    clock(lifetime)
    assert claim_once("test:claim", "nonce-1", lifetime)


def in_threads(count: int, work: Callable[[], object]) -> list[object]:
    """work()'s results from `count` threads released at once, each on its own connection."""
    start = threading.Barrier(count)
    results: list[object] = [None] * count
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait(timeout=30)
            results[index] = work()
        except BaseException as failure:  # reported by the test, not lost with the thread
            failures.append(failure)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("earlier_hits", [0, 3], ids=["new row", "existing row"])
def test_of_a_hundred_concurrent_acquires_exactly_the_maximum_are_allowed(limits_backend, earlier_hits):
    # "new row": all hundred race to create the key's row too.
    limit = Limit("test:race", 10, WINDOW)
    for _ in range(earlier_hits):
        assert limit.acquire("k")
    decisions = in_threads(100, lambda: limit.acquire("k"))
    assert sum(bool(decision) for decision in decisions) == 10 - earlier_hits
    assert all(decision.retry_after for decision in decisions if not decision)
    assert limit.peek("k") is not None and not limit.acquire("k")
    if limits_backend == "database":
        assert Counter.objects.get(name="test:race", key="k").count == 10


@pytest.mark.django_db(transaction=True)
def test_of_many_concurrent_claims_exactly_one_is_granted(limits_backend):
    claims = in_threads(50, lambda: claim_once("test:claim-race", "nonce", timedelta(minutes=61)))
    assert claims.count(True) == 1


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_turns_fixed_window_counts_into_hits_at_the_window_start(clock):
    before, after = [("limits", "0001_initial")], [("limits", "0002_sliding_log")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old_counter = executor.loader.project_state(before).apps.get_model("limits", "Counter")
        old_counter.objects.create(name="signin:ip", key="192.0.2.7", window_start=T0, count=3)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    counter = Counter.objects.get()
    assert counter.hits == [T0.isoformat()] * 3 and counter.expires_at == T0 + timedelta(days=1)
    # The limit stays reached until the fixed window would have ended.
    clock(5 * MINUTE)
    assert Limit("signin:ip", 3, timedelta(minutes=15)).peek("192.0.2.7") == 10 * MINUTE


def test_with_redis_down_nothing_is_allowed_and_the_limits_come_back_with_it(redis_limits):
    limit = Limit("test:down", 3, WINDOW)
    assert limit.acquire("k")
    redis_limits.stop()
    for check in (lambda: limit.acquire("k"), lambda: limit.peek("k"), lambda: limit.reset("k"),
                  lambda: claim_once("test:down-claim", "nonce", WINDOW)):
        with pytest.raises(LimitsUnavailable):
            check()
    redis_limits.start()  # an empty Redis: what it held is gone, as after a restart without saving
    assert [bool(limit.acquire("k")) for _ in range(4)] == [True, True, True, False]
    assert claim_once("test:down-claim", "nonce", WINDOW)
    assert not claim_once("test:down-claim", "nonce", WINDOW)


def test_redis_needs_its_address_in_the_configuration():
    from pydantic import ValidationError

    from sspr.config.schema import Limits

    with pytest.raises(ValidationError, match='redis_url is required when backend = "redis"'):
        Limits(backend="redis")
    with pytest.raises(ValidationError, match="redis_url must start with redis://"):
        Limits(backend="redis", redis_url="http://cache:6379")
    assert Limits(backend="redis", redis_url="redis://:pw@cache:6379/2").redis_url.endswith("/2")

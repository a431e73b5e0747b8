"""The reset flow as an explicit plan of steps. Its state is plain data in the server-side session,
bound to one user ID; a step is reachable only once every step before it has passed, and the whole
flow expires. Nothing the browser sends can move it forward except passing the current step."""

import time

from django.conf import settings

KEY = "reset_flow"


class StepRefused(Exception):
    """The flow is missing, expired, or not at this step."""


class Flow:
    def __init__(self, state: dict):
        self.state = state

    # What the flow is about
    @property
    def user_id(self) -> str:
        return self.state["user_id"]

    @property
    def user_pk(self) -> int | None:
        return self.state["user"]  # None for an unknown, disabled or method-less account

    @property
    def groups(self) -> tuple[str, ...]:
        """The person's directory groups, read once at the start (none for stand-ins)."""
        return tuple(self.state["groups"])

    @property
    def verification_count(self) -> int:
        """How many verification steps the plan holds (known once the reason step passed)."""
        return sum(1 for name in self.steps if name.startswith("verify"))

    @property
    def reason(self) -> str:
        return self.state.get("reason", "")

    @property
    def steps(self) -> list[str]:
        return self.state["steps"]

    @property
    def current(self) -> str:
        return self.steps[len(self.state["passed"])]

    @property
    def verification_number(self) -> int:
        return sum(1 for step in self.state["passed"] if step.startswith("verify")) + 1

    @property
    def used(self) -> list[dict]:
        """Methods already passed: [{"method": pk, "kind": kind}]."""
        return self.state["used"]

    def require(self, step: str) -> None:
        if self.current != step:
            raise StepRefused(step)

    def passed(self, step: str, **facts) -> None:
        self.require(step)
        self.state["passed"].append(step)
        self.state.update(facts)
        self.state["scratch"] = {}

    @property
    def scratch(self) -> dict:
        """Data of the step in progress (the method chosen, whether the phone number matched)."""
        return self.state.setdefault("scratch", {})


def start(request, user_id: str, user_pk: int | None, groups=()) -> Flow:
    request.session[KEY] = {"user_id": user_id, "user": user_pk, "groups": list(groups), "started": time.time(),
                            "steps": ["reason"], "passed": [], "used": [], "scratch": {}}
    return Flow(request.session[KEY])


def current(request) -> Flow:
    state = request.session.get(KEY)
    if not state:
        raise StepRefused("no flow")
    if state["started"] + settings.CONFIG.reset.flow_minutes * 60 < time.time():
        end(request)
        raise StepRefused("expired")
    return Flow(state)


def save(request, flow: Flow) -> None:
    request.session[KEY] = flow.state


def end(request) -> None:
    """Finishing or abandoning the flow destroys its state."""
    request.session.pop(KEY, None)

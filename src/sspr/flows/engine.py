"""One engine beneath every multi-step journey. A flow is a plan of named steps whose state is
plain JSON in the server-side session (never pickled, never in the browser), bound to one person
and expiring. A step is reachable only once every step before it has passed; nothing the browser
sends moves a flow forward except passing its current step, and a passed step cannot be replayed."""

import secrets
import time
from collections.abc import MutableMapping
from typing import Any


class FlowRefused(Exception):
    """No such flow in this session, it expired, or it is not at this step."""


class Flow:
    def __init__(self, session: MutableMapping, plan: str, state: dict):
        self.session, self.plan, self.state = session, plan, state

    @staticmethod
    def key(plan: str) -> str:
        return f"flow:{plan}"

    @classmethod
    def start(cls, session: MutableMapping, plan: str, *, lifetime: int, user_id: str, user_pk: int | None,
              steps: list[str], passed: tuple[str, ...] = (), **facts: Any) -> "Flow":
        """A new flow replaces any earlier one of the same plan in this session."""
        state = {"id": secrets.token_hex(8), "user_id": user_id, "user": user_pk, "started": time.time(),
                 "expires": time.time() + lifetime, "steps": list(steps), "passed": list(passed), "used": [],
                 "scratch": {}, **facts}
        flow = cls(session, plan, state)
        flow.save()
        return flow

    @classmethod
    def resume(cls, session: MutableMapping, plan: str) -> "Flow":
        state = session.get(cls.key(plan))
        if not state:
            raise FlowRefused("no flow")
        flow = cls(session, plan, state)
        if state["expires"] < time.time():
            flow.end()
            raise FlowRefused("expired")
        return flow

    @classmethod
    def find(cls, session: MutableMapping, plan: str) -> "Flow | None":
        try:
            return cls.resume(session, plan)
        except FlowRefused:
            return None

    # What the flow is about
    @property
    def id(self) -> str:
        return self.state["id"]

    @property
    def user_id(self) -> str:
        return self.state["user_id"]

    @property
    def user_pk(self) -> int | None:
        return self.state["user"]  # None for a person we cannot help (stand-ins)

    @property
    def person_pk(self) -> int:
        """The local account of a flow that has one (sign-in, re-authentication)."""
        if self.user_pk is None:
            raise FlowRefused("no account")
        return self.user_pk

    @property
    def steps(self) -> list[str]:
        return self.state["steps"]

    @property
    def current(self) -> str:
        passed = len(self.state["passed"])
        return self.steps[passed] if passed < len(self.steps) else ""

    @property
    def used(self) -> list[dict]:
        """Methods that passed a verification step: [{"method": pk, "kind": kind}]."""
        return self.state["used"]

    @property
    def scratch(self) -> dict:
        """Data of the step in progress (the method chosen, its challenge)."""
        return self.state.setdefault("scratch", {})

    def get(self, fact: str, default: Any = None) -> Any:
        return self.state.get(fact, default)

    # Moving on
    def require(self, step: str) -> None:
        if self.current != step:
            raise FlowRefused(step)

    def passed(self, step: str, **facts: Any) -> None:
        self.require(step)
        self.state["passed"].append(step)
        self.state.update(facts)
        self.state["scratch"] = {}
        self.save()

    def add_steps(self, steps: list[str]) -> None:
        self.state["steps"] += steps
        self.save()

    def save(self) -> None:
        self.session[self.key(self.plan)] = self.state

    def end(self) -> None:
        """Finishing or abandoning the flow destroys its state."""
        self.session.pop(self.key(self.plan), None)

"""Who may do what: roles, named policies, and the decorator every view declares.

A policy is a function ``(user, obj=None) -> bool``. Views name the policy they need with
``@requires("policy_name")``; object-level checks call ``ensure(policy, obj)`` after loading.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from qa_app.auth.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])
Policy = Callable[[User, Any], bool]

STAFF = {Role.ADMIN, Role.REVIEWER, Role.TRAINER}


def _role_in(*roles: Role) -> Policy:
    allowed = set(roles)
    return lambda user, _obj=None: user.role in allowed


def _can_view_interaction(user: User, interaction: Any = None) -> bool:
    """Staff see every interaction; an agent only those handled by their own agent profile."""
    if user.role in STAFF or user.role is Role.ANALYST:
        return True  # analysts see redacted text and tags, never evaluations or coaching
    if user.role is Role.AGENT:
        if interaction is None:
            return True  # may reach the list; the list itself is filtered to their own
        return user.agent_id is not None and interaction.agent_id == user.agent_id
    return False


def _can_hear_interaction(user: User, interaction: Any = None) -> bool:
    """The recording carries what redaction removes from the text: not for analysts."""
    return user.role is not Role.ANALYST and _can_view_interaction(user, interaction)


def _can_view_agent(user: User, agent: Any = None) -> bool:
    if user.role in STAFF:
        return True
    return agent is None or (user.agent_id is not None and agent.id == user.agent_id)


POLICIES: dict[str, Policy] = {
    "authenticated": lambda user, _obj=None: True,
    "can_admin": _role_in(Role.ADMIN),
    "can_manage_users": _role_in(Role.ADMIN),
    "can_review": _role_in(Role.ADMIN, Role.REVIEWER),
    "can_coach": _role_in(Role.ADMIN, Role.TRAINER, Role.REVIEWER),
    "can_manage_training": _role_in(Role.ADMIN, Role.TRAINER),
    # agents see analytics of their own interactions only (the queries are scoped)
    "can_view_analytics": lambda user, _obj=None: True,
    "can_upload": _role_in(Role.ADMIN, Role.REVIEWER),
    "can_view_interaction": _can_view_interaction,
    "can_hear_interaction": _can_hear_interaction,
    "can_view_agent": _can_view_agent,
    "is_agent": _role_in(Role.AGENT),
    # tagging and analytics (issues 9 and 10)
    "can_manage_taxonomy": _role_in(Role.ADMIN, Role.ANALYST),
    "can_decide_tags": _role_in(Role.ADMIN, Role.REVIEWER),
    "can_record_events": _role_in(Role.ADMIN, Role.ANALYST),
    "can_import_texts": _role_in(Role.ADMIN, Role.ANALYST),
    # a tag's decided matches and measured precision; the CSV export of tagged items
    "can_view_tag_quality": _role_in(Role.ADMIN, Role.REVIEWER, Role.ANALYST),
    "can_export_tags": _role_in(Role.ADMIN, Role.REVIEWER, Role.TRAINER, Role.ANALYST),
    # analysts never see individual scores (AI or reviewed) nor get evaluation notifications
    "can_view_scores": _role_in(Role.ADMIN, Role.REVIEWER, Role.TRAINER, Role.AGENT),
    "gets_notifications": _role_in(Role.ADMIN, Role.REVIEWER, Role.TRAINER, Role.AGENT),
}


def _can_view_evaluation(user: User, evaluation: Any = None) -> bool:
    """Staff see every evaluation; an agent only submitted ones of their own calls."""
    if user.role in STAFF:
        return True
    if user.role is not Role.AGENT:
        return False
    if evaluation is None:
        return True
    return (
        user.agent_id is not None
        and evaluation.interaction.agent_id == user.agent_id
        and evaluation.status.value != "draft"
        and evaluation.calibration_id is None
    )


def _is_evaluated_agent(user: User, evaluation: Any = None) -> bool:
    """Only the agent whose call was evaluated may acknowledge or dispute it."""
    if user.role is not Role.AGENT:
        return False
    return evaluation is None or _can_view_evaluation(user, evaluation)


def _can_calibrate(user: User, session: Any = None) -> bool:
    """Reviewers and admins; a given session only for its lead, its invitees and admins."""
    if user.role not in (Role.ADMIN, Role.REVIEWER):
        return False
    if session is None or user.role is Role.ADMIN:
        return True
    return user.id == session.lead_id or any(p.id == user.id for p in session.participants)


POLICIES.update(
    {
        # review workflow (issue 5)
        "can_view_evaluation": _can_view_evaluation,
        "can_answer_evaluation": _is_evaluated_agent,
        "can_resolve_disputes": _role_in(Role.ADMIN, Role.REVIEWER),
        "can_view_unredacted": _role_in(Role.ADMIN),
        "can_view_review_reports": _role_in(Role.ADMIN, Role.REVIEWER, Role.TRAINER),
        "can_calibrate": _can_calibrate,
    }
)


COACHES = {Role.ADMIN, Role.TRAINER, Role.REVIEWER}


def _own_agent_or_coach(user: User, obj: Any = None) -> bool:
    """Coaches see every assignment and 1:1; an agent only those addressed to them."""
    if user.role in COACHES:
        return True
    if user.role is not Role.AGENT:
        return False
    return obj is None or (user.agent_id is not None and obj.agent_id == user.agent_id)


def _is_addressed_agent(user: User, obj: Any = None) -> bool:
    """Only the agent an assignment or 1:1 is for takes its quiz or acknowledges it."""
    if user.role is not Role.AGENT:
        return False
    return obj is None or (user.agent_id is not None and obj.agent_id == user.agent_id)


POLICIES.update(
    {
        # coaching (issue 6)
        "can_use_coaching": _role_in(Role.ADMIN, Role.TRAINER, Role.REVIEWER, Role.AGENT),
        "can_view_assignment": _own_agent_or_coach,
        "can_take_assignment": _is_addressed_agent,
        "can_view_coaching_session": _own_agent_or_coach,
        "can_acknowledge_session": _is_addressed_agent,
    }
)


def allowed(policy: str, user: Any, obj: Any = None) -> bool:
    """True when ``user`` passes ``policy``; anonymous users pass nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return POLICIES[policy](user, obj)


def ensure(policy: str, obj: Any = None) -> None:
    """Abort with 404 when an object check fails, so ids cannot be probed."""
    if not allowed(policy, current_user, obj):
        abort(404)


def requires(policy: str) -> Callable[[F], F]:
    """Declare the policy a view needs: anonymous users go to sign-in, others get 403."""
    if policy not in POLICIES:
        raise KeyError(f"unknown policy {policy!r}")

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not allowed(policy, current_user):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_policy = policy  # type: ignore[attr-defined]
        return login_required(wrapper)  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    """Mark a view that needs no sign-in (login page, health check); checked by a test."""
    view.required_policy = "public"  # type: ignore[attr-defined]
    return view

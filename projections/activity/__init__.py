"""Activity: every event by actor, role and time ("what did this officer do last week")."""

from projections.activity.projection import ACTIONS, Activity

__all__ = ["ACTIONS", "Activity"]

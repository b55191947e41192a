"""Assessment: grades, independent corroboration, contradictions, anachronisms, milestones.

Pure functions over claim records (``records.py``); ``watchboard.jobs.assess`` reads the store,
calls :func:`assess` and stores the results.
"""

from watchboard.assess.engine import Assessment, Grade, Override, Rules, assess, load_rules
from watchboard.assess.milestones import MilestoneSpec, MilestoneStatus, Suggestion
from watchboard.assess.records import ClaimRecord, SourceInfo, record_from_claim

__all__ = [
    "Assessment",
    "ClaimRecord",
    "Grade",
    "MilestoneSpec",
    "MilestoneStatus",
    "Override",
    "Rules",
    "SourceInfo",
    "Suggestion",
    "assess",
    "load_rules",
    "record_from_claim",
]

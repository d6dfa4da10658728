from django.db import models


class ProcurementRoute(models.TextChoices):
    OPEN = "open", "Open procedure"
    RESTRICTED = "restricted", "Restricted procedure"
    COMPETITIVE_DIALOGUE = "competitive_dialogue", "Competitive dialogue"
    NEGOTIATED = "negotiated", "Competitive procedure with negotiation"
    FRAMEWORK = "framework", "Call-off from a framework"
    DIRECT_AWARD = "direct_award", "Direct award"
    OTHER = "other", "Other"


class EventKind(models.TextChoices):
    NOTICE_DUE = "notice_due", "Notice due"
    EXTENSION_DECISION = "extension_decision", "Extension decision"
    RETENDER_START = "retender_start", "Re-tender start"
    AWARD = "award", "Award"
    EXIT = "exit", "Exit"


class EventStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"

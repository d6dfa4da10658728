from django.db import models


class Stage(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved to start"
    IN_DELIVERY = "in_delivery", "In delivery"
    CLOSING = "closing", "Closing"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def live(cls) -> list[str]:
        return [cls.PROPOSED, cls.APPROVED, cls.IN_DELIVERY, cls.CLOSING]


class Priority(models.IntegerChoices):
    CRITICAL = 1, "1 – critical"
    HIGH = 2, "2 – high"
    MEDIUM = 3, "3 – medium"
    LOW = 4, "4 – low"


class DcaScale(models.TextChoices):
    FIVE_POINT = "five_point", "Five-point (2013): Green, Amber/Green, Amber, Amber/Red, Red"
    THREE_POINT = "three_point", "Three-point (since 2021): Green, Amber, Red"


class DcaRating(models.TextChoices):
    GREEN = "green", "Green"
    AMBER_GREEN = "amber_green", "Amber/Green"
    AMBER = "amber", "Amber"
    AMBER_RED = "amber_red", "Amber/Red"
    RED = "red", "Red"


DCA_RATINGS_BY_SCALE = {
    DcaScale.FIVE_POINT: [r.value for r in DcaRating],
    DcaScale.THREE_POINT: [DcaRating.GREEN, DcaRating.AMBER, DcaRating.RED],
}


class Assessor(models.TextChoices):
    SRO = "sro", "Senior Responsible Owner's own assessment"
    INDEPENDENT = "independent", "Independent assessment"


class GateDecision(models.TextChoices):
    PENDING = "pending", "Awaiting decision"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "conditional", "Approved with conditions"
    REJECTED = "rejected", "Rejected"
    DEFERRED = "deferred", "Deferred"


class BenefitCategory(models.TextChoices):
    CASH_RELEASING = "cash_releasing", "Cash-releasing"
    NON_CASH_RELEASING = "non_cash_releasing", "Non-cash-releasing"
    SOCIETAL = "societal", "Wider societal"

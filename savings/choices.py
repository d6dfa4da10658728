from django.db import models


class SavingsType(models.TextChoices):
    """The kinds of saving the Assembly asked about (Appendix 1, question 6)."""

    REDUCED_CONTRACT_COSTS = "reduced_contract_costs", "Reduced contract costs"
    MOBILE_AND_OTHER_EFFICIENCIES = "mobile_and_other_efficiencies", "Mobile and other efficiencies"
    STAFF_COST_SAVINGS = "staff_cost_savings", "Staff cost savings"
    DEMAND_AND_VOLUME_REDUCTION = "demand_and_volume_reduction", "Demand and volume reduction"


class DeliveryStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"
    STOPPED = "stopped", "Stopped"


class Confidence(models.TextChoices):
    """Delivery confidence as a RAG rating; blank until somebody assesses it."""

    NOT_ASSESSED = "", "Not assessed"
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


class ActualStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    RETURNED = "returned", "Returned for changes"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded by a correction"


class SpendGroup(models.TextChoices):
    REVENUE_DOI = "revenue_doi", "Technology revenue expenditure managed by DoI"
    REVENUE_OUTSIDE_DOI = "revenue_outside_doi", "Technology revenue expenditure managed outside DoI"
    CAPITAL_DOI = "capital_doi", "Technology capital expenditure managed by DoI"

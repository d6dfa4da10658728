from django.db import models


class DeviceStatus(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    ISSUED = "issued", "Issued"
    IN_REPAIR = "in_repair", "In repair"
    LOST = "lost", "Lost"
    STOLEN = "stolen", "Stolen"
    RETIRED = "retired", "Retired"


class BenefitRole(models.TextChoices):
    """Whose time a transaction saves (the PDA benefits model's three departments)."""

    CALL_HANDLER = "call_handler", "Call handler efficiency"
    CO16_PROCESSING = "co16_processing", "CO16 (processing)"
    OFFICER = "officer", "Officer efficiency"


class BenefitSource(models.TextChoices):
    REPORTED = "reported", "Reported"
    COMPUTED = "computed", "Computed"

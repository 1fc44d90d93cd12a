"""Every table of upright; importing this package registers them all on the metadata."""

from schema.tables import (
    accounts,
    audit,
    followup,
    operations,
    organisations,
    recommendations,
    reference,
    registry,
    reviews,
)

__all__ = [
    "accounts",
    "audit",
    "followup",
    "operations",
    "organisations",
    "recommendations",
    "reference",
    "registry",
    "reviews",
]

"""Every table of upright; importing this package registers them all on the metadata."""

from schema.tables import (
    audit,
    followup,
    organisations,
    recommendations,
    reference,
    registry,
    reviews,
)

__all__ = [
    "audit",
    "followup",
    "organisations",
    "recommendations",
    "reference",
    "registry",
    "reviews",
]

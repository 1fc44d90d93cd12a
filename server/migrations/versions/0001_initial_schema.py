"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "affected_persons",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_affected_persons")),
        sa.UniqueConstraint("name", name=op.f("uq_affected_persons_name")),
    )
    op.create_table(
        "cycles",
        sa.Column("number", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("first_session", sa.SmallInteger(), nullable=False),
        sa.Column("last_session", sa.SmallInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_cycles")),
    )
    op.create_table(
        "sdg_goals",
        sa.Column("number", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_sdg_goals")),
        sa.UniqueConstraint("name", name=op.f("uq_sdg_goals_name")),
    )
    op.create_table(
        "states",
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("alpha2", sa.String(length=2), nullable=False),
        sa.Column("numeric", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("official_name", sa.String(length=200), nullable=True),
        sa.Column("un_member", sa.Boolean(), nullable=False),
        sa.Column("un_observer", sa.Boolean(), nullable=False),
        sa.Column(
            "regional_group",
            sa.Enum(
                "AFRICA",
                "ASIA_PACIFIC",
                "EEG",
                "GRULAC",
                "WEOG",
                name="regional_group",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_states")),
        sa.UniqueConstraint("alpha2", name=op.f("uq_states_alpha2")),
        sa.UniqueConstraint("name", name=op.f("uq_states_name")),
    )
    with op.batch_alter_table("states", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_states_regional_group"), ["regional_group"], unique=False
        )

    op.create_table(
        "themes",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_themes")),
        sa.UniqueConstraint("name", name=op.f("uq_themes_name")),
    )
    op.create_table(
        "organisations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("acronym", sa.String(length=30), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "INTERNATIONAL_NGO",
                "NATIONAL_NGO",
                "UN_AGENCY",
                "NHRI",
                "GOVERNMENT",
                "DONOR",
                "OTHER",
                name="organisation_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("country_code", sa.String(length=3), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("vetted_partner", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("public_profile", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_code"], ["states.code"], name=op.f("fk_organisations_country_code_states")
        ),
        sa.CheckConstraint(
            "NOT (kind = 'GOVERNMENT' AND vetted_partner)",
            name=op.f("ck_organisations_government_never_vetted"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisations_country_code"), ["country_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_organisations_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_organisations_public_profile"), ["public_profile"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_organisations_vetted_partner"), ["vetted_partner"], unique=False
        )

    op.create_table(
        "sdg_targets",
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("goal_number", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_number"], ["sdg_goals.number"], name=op.f("fk_sdg_targets_goal_number_sdg_goals")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_sdg_targets")),
    )
    with op.batch_alter_table("sdg_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sdg_targets_goal_number"), ["goal_number"], unique=False
        )

    op.create_table(
        "sessions",
        sa.Column("number", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("cycle_number", sa.SmallInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_number"], ["cycles.number"], name=op.f("fk_sessions_cycle_number_cycles")
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sessions_cycle_number"), ["cycle_number"], unique=False
        )

    op.create_table(
        "coalitions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("created_by_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_coalitions_created_by_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coalitions")),
        sa.UniqueConstraint(
            "created_by_organisation_id",
            "name",
            name=op.f("uq_coalitions_created_by_organisation_id_name"),
        ),
    )
    with op.batch_alter_table("coalitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coalitions_created_by_organisation_id"),
            ["created_by_organisation_id"],
            unique=False,
        )

    op.create_table(
        "contacts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("pseudonym_seed", sa.LargeBinary(length=32), nullable=True),
        sa.Column("country_code", sa.String(length=3), nullable=True),
        sa.Column("wrapped_data_key", sa.LargeBinary(), nullable=True),
        sa.Column("full_name_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("email_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("phone_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("handle_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("address_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("notes_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("region_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("risk_level_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("consent_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("links_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("email_index", sa.LargeBinary(length=32), nullable=True),
        sa.Column("phone_index", sa.LargeBinary(length=32), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_code"], ["states.code"], name=op.f("fk_contacts_country_code_states")
        ),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_contacts_owner_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contacts_owner_country", ["owner_organisation_id", "country_code"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_owner_email_index", ["owner_organisation_id", "email_index"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contacts_owner_organisation_id"), ["owner_organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_contacts_owner_phone_index", ["owner_organisation_id", "phone_index"], unique=False
        )

    op.create_table(
        "reviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("state_code", sa.String(length=3), nullable=False),
        sa.Column("session_number", sa.SmallInteger(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("adoption_date", sa.Date(), nullable=True),
        sa.Column("hrc_session", sa.SmallInteger(), nullable=True),
        sa.Column("report_symbol", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_number"], ["sessions.number"], name=op.f("fk_reviews_session_number_sessions")
        ),
        sa.ForeignKeyConstraint(
            ["state_code"], ["states.code"], name=op.f("fk_reviews_state_code_states")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint(
            "state_code", "session_number", name=op.f("uq_reviews_state_code_session_number")
        ),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_review_date"), ["review_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reviews_session_number"), ["session_number"], unique=False
        )
        batch_op.create_index(
            "ix_reviews_state_code_newest",
            ["state_code", sa.literal_column("review_date DESC"), sa.literal_column("id DESC")],
            unique=False,
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "PLATFORM_ADMIN",
                "ORG_ADMIN",
                "MEMBER",
                "VIEWER",
                name="role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("name_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("email_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("email_index", sa.LargeBinary(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("totp_secret_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_users_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_email_index"), ["email_index"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_users_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "activities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "PRE_SESSION",
                "CSO_STRATEGY_WORKSHOP",
                "CSO_GOVERNMENT_DIALOGUE",
                "MID_TERM_REPORT",
                "OTHER",
                name="activity_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("review_id", sa.Uuid(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country_code", sa.String(length=3), nullable=True),
        sa.Column("budget_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner_organisation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum(
                "PUBLIC",
                "PARTNERS",
                "COALITION",
                "ORGANISATION",
                name="visibility",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("coalition_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(visibility = 'COALITION') = (coalition_id IS NOT NULL)",
            name=op.f("ck_activities_coalition_matches_visibility"),
        ),
        sa.CheckConstraint(
            "(budget_minor IS NULL) = (currency IS NULL)",
            name=op.f("ck_activities_budget_has_currency"),
        ),
        sa.CheckConstraint(
            "budget_minor IS NULL OR budget_minor >= 0", name=op.f("ck_activities_budget_positive")
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_activities_dates_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"], ["coalitions.id"], name=op.f("fk_activities_coalition_id_coalitions")
        ),
        sa.ForeignKeyConstraint(
            ["country_code"], ["states.code"], name=op.f("fk_activities_country_code_states")
        ),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_activities_owner_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_activities_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activities_coalition_id"), ["coalition_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_activities_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_activities_owner_organisation_id"),
            ["owner_organisation_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_activities_review_id"), ["review_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_starts_on"), ["starts_on"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("chain", sa.String(length=60), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=True),
        sa.Column("subject_id", sa.Uuid(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("sealed_details", sa.LargeBinary(), nullable=True),
        sa.Column("previous_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_audit_events_actor_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_audit_events_actor_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("chain", "sequence", name=op.f("uq_audit_events_chain_sequence")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)

    op.create_table(
        "coalition_memberships",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("coalition_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "INVITED",
                "ACTIVE",
                "DECLINED",
                "LEFT",
                name="membership_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("invited_by_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
            name=op.f("fk_coalition_memberships_coalition_id_coalitions"),
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_coalition_memberships_invited_by_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_coalition_memberships_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coalition_memberships")),
        sa.UniqueConstraint(
            "coalition_id",
            "organisation_id",
            name=op.f("uq_coalition_memberships_coalition_id_organisation_id"),
        ),
    )
    with op.batch_alter_table("coalition_memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coalition_memberships_organisation_id"),
            ["organisation_id"],
            unique=False,
        )

    op.create_table(
        "contact_affected_persons",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("affected_person_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["affected_person_code"],
            ["affected_persons.code"],
            name=op.f("fk_contact_affected_persons_affected_person_code_affected_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_affected_persons_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "contact_id", "affected_person_code", name=op.f("pk_contact_affected_persons")
        ),
    )
    with op.batch_alter_table("contact_affected_persons", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_affected_persons_code", ["affected_person_code", "contact_id"], unique=False
        )

    op.create_table(
        "contact_shares",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("recipient_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("shared_attributes", sa.String(length=200), nullable=False),
        sa.Column("purpose_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("shared_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_shares_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_contact_shares_recipient_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["shared_by_user_id"],
            ["users.id"],
            name=op.f("fk_contact_shares_shared_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_shares")),
        sa.UniqueConstraint(
            "contact_id",
            "recipient_organisation_id",
            name=op.f("uq_contact_shares_contact_id_recipient_organisation_id"),
        ),
    )
    with op.batch_alter_table("contact_shares", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_shares_recipient_organisation_id"),
            ["recipient_organisation_id"],
            unique=False,
        )

    op.create_table(
        "contact_themes",
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("theme_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_themes_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_code"], ["themes.code"], name=op.f("fk_contact_themes_theme_code_themes")
        ),
        sa.PrimaryKeyConstraint("contact_id", "theme_code", name=op.f("pk_contact_themes")),
    )
    with op.batch_alter_table("contact_themes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_themes_theme_code", ["theme_code", "contact_id"], unique=False
        )

    op.create_table(
        "recommendations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "mechanism",
            sa.Enum(
                "UPR",
                "TREATY_BODY",
                "SPECIAL_PROCEDURE",
                name="mechanism",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("state_code", sa.String(length=3), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=True),
        sa.Column("paragraph", sa.String(length=20), nullable=True),
        sa.Column("document_symbol", sa.String(length=80), nullable=True),
        sa.Column("recommending_body", sa.String(length=200), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("natural_key", sa.String(length=64), nullable=False),
        sa.Column(
            "response",
            sa.Enum(
                "SUPPORTED",
                "NOTED",
                "SUPPORTED_IN_PART",
                "PENDING",
                name="response",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("response_wording", sa.String(length=100), nullable=True),
        sa.Column("action_category", sa.SmallInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(mechanism = 'UPR') = (review_id IS NOT NULL)",
            name=op.f("ck_recommendations_review_iff_upr"),
        ),
        sa.CheckConstraint(
            "action_category BETWEEN 1 AND 5", name=op.f("ck_recommendations_action_category_range")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_recommendations_review_id_reviews")
        ),
        sa.ForeignKeyConstraint(
            ["state_code"], ["states.code"], name=op.f("fk_recommendations_state_code_states")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
        sa.UniqueConstraint("natural_key", name=op.f("uq_recommendations_natural_key")),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendations_action_category"), ["action_category"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_recommendations_mechanism"), ["mechanism"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recommendations_response"), ["response"], unique=False)
        batch_op.create_index("ix_recommendations_review_id_id", ["review_id", "id"], unique=False)
        batch_op.create_index(
            "ix_recommendations_state_code_id", ["state_code", "id"], unique=False
        )

    op.create_table(
        "activity_organisers",
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_organisers_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_activity_organisers_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint(
            "activity_id", "organisation_id", name=op.f("pk_activity_organisers")
        ),
    )
    with op.batch_alter_table("activity_organisers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_organisers_organisation_id",
            ["organisation_id", "activity_id"],
            unique=False,
        )

    op.create_table(
        "activity_recommendations",
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_recommendations_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_activity_recommendations_recommendation_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint(
            "activity_id", "recommendation_id", name=op.f("pk_activity_recommendations")
        ),
    )
    with op.batch_alter_table("activity_recommendations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activity_recommendations_recommendation_id",
            ["recommendation_id", "activity_id"],
            unique=False,
        )

    op.create_table(
        "assessments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "NOT_IMPLEMENTED",
                "PARTIALLY_IMPLEMENTED",
                "FULLY_IMPLEMENTED",
                "UNKNOWN",
                name="implementation_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("source_url", sa.String(length=2000), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("owner_organisation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum(
                "PUBLIC",
                "PARTNERS",
                "COALITION",
                "ORGANISATION",
                name="visibility",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("coalition_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(visibility = 'COALITION') = (coalition_id IS NOT NULL)",
            name=op.f("ck_assessments_coalition_matches_visibility"),
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"], ["coalitions.id"], name=op.f("fk_assessments_coalition_id_coalitions")
        ),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_assessments_owner_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_assessments_recommendation_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessments_coalition_id"), ["coalition_id"], unique=False
        )
        batch_op.create_index(
            "ix_assessments_latest",
            ["recommendation_id", "owner_organisation_id", "assessed_on", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_assessments_owner_organisation_id"),
            ["owner_organisation_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_assessments_status"), ["status"], unique=False)

    op.create_table(
        "engagements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "LEAD",
                "PARTNER",
                "MONITOR",
                name="engagement_role",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("owner_organisation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum(
                "PUBLIC",
                "PARTNERS",
                "COALITION",
                "ORGANISATION",
                name="visibility",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("coalition_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(visibility = 'COALITION') = (coalition_id IS NOT NULL)",
            name=op.f("ck_engagements_coalition_matches_visibility"),
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"], ["coalitions.id"], name=op.f("fk_engagements_coalition_id_coalitions")
        ),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_engagements_owner_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_engagements_recommendation_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagements")),
        sa.UniqueConstraint(
            "recommendation_id",
            "owner_organisation_id",
            name=op.f("uq_engagements_recommendation_id_owner_organisation_id"),
        ),
    )
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_engagements_coalition_id"), ["coalition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_engagements_owner_organisation_id"),
            ["owner_organisation_id"],
            unique=False,
        )

    op.create_table(
        "funding_pledges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PLEDGED",
                "RECEIVED",
                name="pledge_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("owner_organisation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum(
                "PUBLIC",
                "PARTNERS",
                "COALITION",
                "ORGANISATION",
                name="visibility",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("coalition_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(visibility = 'COALITION') = (coalition_id IS NOT NULL)",
            name=op.f("ck_funding_pledges_coalition_matches_visibility"),
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_funding_pledges_amount_positive")),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_funding_pledges_activity_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
            name=op.f("fk_funding_pledges_coalition_id_coalitions"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_funding_pledges_owner_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_pledges")),
    )
    with op.batch_alter_table("funding_pledges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_funding_pledges_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_funding_pledges_coalition_id"), ["coalition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_funding_pledges_owner_organisation_id"),
            ["owner_organisation_id"],
            unique=False,
        )

    op.create_table(
        "recommendation_affected_persons",
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column("affected_person_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["affected_person_code"],
            ["affected_persons.code"],
            name=op.f("fk_recommendation_affected_persons_affected_person_code_affected_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_affected_persons_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "recommendation_id",
            "affected_person_code",
            name=op.f("pk_recommendation_affected_persons"),
        ),
    )
    with op.batch_alter_table("recommendation_affected_persons", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendation_affected_persons_affected_person_code",
            ["affected_person_code", "recommendation_id"],
            unique=False,
        )

    op.create_table(
        "recommendation_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=True),
        sa.Column(
            "mechanism",
            sa.Enum(
                "UPR",
                "TREATY_BODY",
                "SPECIAL_PROCEDURE",
                name="mechanism",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("document_symbol", sa.String(length=80), nullable=False),
        sa.Column("paragraph", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_links_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_links_target_id_recommendations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_links")),
    )
    with op.batch_alter_table("recommendation_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_links_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_recommendation_links_target_id"), ["target_id"], unique=False
        )

    op.create_table(
        "recommendation_recommending_states",
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column("state_code", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_recommending_states_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["state_code"],
            ["states.code"],
            name=op.f("fk_recommendation_recommending_states_state_code_states"),
        ),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "state_code", name=op.f("pk_recommendation_recommending_states")
        ),
    )
    with op.batch_alter_table("recommendation_recommending_states", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendation_recommending_states_state_code",
            ["state_code", "recommendation_id"],
            unique=False,
        )

    op.create_table(
        "recommendation_sdg_goals",
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column("goal_number", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_number"],
            ["sdg_goals.number"],
            name=op.f("fk_recommendation_sdg_goals_goal_number_sdg_goals"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_sdg_goals_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "goal_number", name=op.f("pk_recommendation_sdg_goals")
        ),
    )
    with op.batch_alter_table("recommendation_sdg_goals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendation_sdg_goals_goal_number",
            ["goal_number", "recommendation_id"],
            unique=False,
        )

    op.create_table(
        "recommendation_sdg_targets",
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column("target_code", sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_sdg_targets_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_code"],
            ["sdg_targets.code"],
            name=op.f("fk_recommendation_sdg_targets_target_code_sdg_targets"),
        ),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "target_code", name=op.f("pk_recommendation_sdg_targets")
        ),
    )
    with op.batch_alter_table("recommendation_sdg_targets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendation_sdg_targets_target_code",
            ["target_code", "recommendation_id"],
            unique=False,
        )

    op.create_table(
        "recommendation_themes",
        sa.Column("recommendation_id", sa.Uuid(), nullable=False),
        sa.Column("theme_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_themes_recommendation_id_recommendations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_code"], ["themes.code"], name=op.f("fk_recommendation_themes_theme_code_themes")
        ),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "theme_code", name=op.f("pk_recommendation_themes")
        ),
    )
    with op.batch_alter_table("recommendation_themes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendation_themes_theme_code", ["theme_code", "recommendation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("recommendation_themes", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendation_themes_theme_code")

    op.drop_table("recommendation_themes")
    with op.batch_alter_table("recommendation_sdg_targets", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendation_sdg_targets_target_code")

    op.drop_table("recommendation_sdg_targets")
    with op.batch_alter_table("recommendation_sdg_goals", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendation_sdg_goals_goal_number")

    op.drop_table("recommendation_sdg_goals")
    with op.batch_alter_table("recommendation_recommending_states", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendation_recommending_states_state_code")

    op.drop_table("recommendation_recommending_states")
    with op.batch_alter_table("recommendation_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_links_target_id"))
        batch_op.drop_index(batch_op.f("ix_recommendation_links_recommendation_id"))

    op.drop_table("recommendation_links")
    with op.batch_alter_table("recommendation_affected_persons", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendation_affected_persons_affected_person_code")

    op.drop_table("recommendation_affected_persons")
    with op.batch_alter_table("funding_pledges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_pledges_owner_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_funding_pledges_coalition_id"))
        batch_op.drop_index(batch_op.f("ix_funding_pledges_activity_id"))

    op.drop_table("funding_pledges")
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagements_owner_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_engagements_coalition_id"))

    op.drop_table("engagements")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_status"))
        batch_op.drop_index(batch_op.f("ix_assessments_owner_organisation_id"))
        batch_op.drop_index("ix_assessments_latest")
        batch_op.drop_index(batch_op.f("ix_assessments_coalition_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("activity_recommendations", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_recommendations_recommendation_id")

    op.drop_table("activity_recommendations")
    with op.batch_alter_table("activity_organisers", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_organisers_organisation_id")

    op.drop_table("activity_organisers")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendations_state_code_id")
        batch_op.drop_index("ix_recommendations_review_id_id")
        batch_op.drop_index(batch_op.f("ix_recommendations_response"))
        batch_op.drop_index(batch_op.f("ix_recommendations_mechanism"))
        batch_op.drop_index(batch_op.f("ix_recommendations_action_category"))

    op.drop_table("recommendations")
    with op.batch_alter_table("contact_themes", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_themes_theme_code")

    op.drop_table("contact_themes")
    with op.batch_alter_table("contact_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_shares_recipient_organisation_id"))

    op.drop_table("contact_shares")
    with op.batch_alter_table("contact_affected_persons", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_affected_persons_code")

    op.drop_table("contact_affected_persons")
    with op.batch_alter_table("coalition_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coalition_memberships_organisation_id"))

    op.drop_table("coalition_memberships")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_starts_on"))
        batch_op.drop_index(batch_op.f("ix_activities_review_id"))
        batch_op.drop_index(batch_op.f("ix_activities_owner_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_activities_kind"))
        batch_op.drop_index(batch_op.f("ix_activities_coalition_id"))

    op.drop_table("activities")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_users_email_index"))

    op.drop_table("users")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reviews_state_code_newest")
        batch_op.drop_index(batch_op.f("ix_reviews_session_number"))
        batch_op.drop_index(batch_op.f("ix_reviews_review_date"))

    op.drop_table("reviews")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_owner_phone_index")
        batch_op.drop_index(batch_op.f("ix_contacts_owner_organisation_id"))
        batch_op.drop_index("ix_contacts_owner_email_index")
        batch_op.drop_index("ix_contacts_owner_country")

    op.drop_table("contacts")
    with op.batch_alter_table("coalitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coalitions_created_by_organisation_id"))

    op.drop_table("coalitions")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_cycle_number"))

    op.drop_table("sessions")
    with op.batch_alter_table("sdg_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sdg_targets_goal_number"))

    op.drop_table("sdg_targets")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_vetted_partner"))
        batch_op.drop_index(batch_op.f("ix_organisations_public_profile"))
        batch_op.drop_index(batch_op.f("ix_organisations_kind"))
        batch_op.drop_index(batch_op.f("ix_organisations_country_code"))

    op.drop_table("organisations")
    op.drop_table("themes")
    with op.batch_alter_table("states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_states_regional_group"))

    op.drop_table("states")
    op.drop_table("sdg_goals")
    op.drop_table("cycles")
    op.drop_table("affected_persons")

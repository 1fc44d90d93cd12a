"""The root Mutation: each field hands over to the module that holds its logic."""

from __future__ import annotations

import strawberry

from schema.accounts.mutations import (
    api_tokens,
    credentials,
    invitations,
    members,
    second_factor,
    sign_in,
)
from schema.activities.mutations import activities, pledges
from schema.coalitions import mutations as coalitions
from schema.exports import recommendations as exports
from schema.followup import assessments, engagements
from schema.imports import mutations as imports
from schema.organisations import mutations as organisations
from schema.registry.mutations import contacts, disclosure, grants


@strawberry.type
class Mutation:
    login: sign_in.LoginPayload = strawberry.mutation(
        resolver=sign_in.login,
        description="Sign in. Unknown accounts and wrong passwords get the same answer.",
    )
    logout: sign_in.LogoutPayload = strawberry.mutation(
        resolver=sign_in.logout, description="End this session."
    )
    change_password: credentials.ChangePasswordPayload = strawberry.mutation(
        resolver=credentials.change_password,
        description="Needs the current password; your other sessions end.",
    )
    revoke_session: credentials.RevokeSessionPayload = strawberry.mutation(
        resolver=credentials.revoke_session,
        description="End one of your sessions (admins: any of the organisation's).",
    )
    begin_second_factor_enrolment: second_factor.SecondFactorEnrolmentPayload = strawberry.mutation(
        resolver=second_factor.begin_second_factor_enrolment,
        description="Start TOTP enrolment: a secret for an authenticator app.",
    )
    confirm_second_factor: second_factor.ConfirmSecondFactorPayload = strawberry.mutation(
        resolver=second_factor.confirm_second_factor,
        description="Finish enrolment with a first code; returns one-time recovery codes.",
    )
    step_up: second_factor.StepUpPayload = strawberry.mutation(
        resolver=second_factor.step_up,
        description="Prove your second factor again; sensitive operations open for 5 minutes.",
    )
    reset_second_factor: second_factor.ResetSecondFactorPayload = strawberry.mutation(
        resolver=second_factor.reset_second_factor,
        description="Admins: clear a member's lost second factor (audited; needs step-up).",
    )
    invite_user: invitations.InvitePayload = strawberry.mutation(
        resolver=invitations.invite_user,
        description="Admins: invite a person with a role no higher than yours.",
    )
    revoke_invitation: invitations.RevokeInvitationPayload = strawberry.mutation(
        resolver=invitations.revoke_invitation
    )
    accept_invitation: invitations.AcceptInvitationPayload = strawberry.mutation(
        resolver=invitations.accept_invitation,
        description="Join with an invitation: your name and a password of 12+ characters.",
    )
    set_user_role: members.UserPayload = strawberry.mutation(resolver=members.set_user_role)
    set_user_active: members.UserPayload = strawberry.mutation(
        resolver=members.set_user_active,
        description="Admins: deactivate (sessions end at once) or reactivate a user.",
    )
    create_api_token: api_tokens.CreateApiTokenPayload = strawberry.mutation(
        resolver=api_tokens.create_api_token
    )
    revoke_api_token: api_tokens.RevokeApiTokenPayload = strawberry.mutation(
        resolver=api_tokens.revoke_api_token
    )
    create_organisation: organisations.OrganisationPayload = strawberry.mutation(
        resolver=organisations.create_organisation, description="Platform admins."
    )
    set_organisation_vetted: organisations.OrganisationPayload = strawberry.mutation(
        resolver=organisations.set_organisation_vetted,
        description="Platform admins: vet a civil-society or UN partner (never a government).",
    )
    invite_organisation_admin: invitations.InvitePayload = strawberry.mutation(
        resolver=organisations.invite_organisation_admin,
        description="Platform admins: invite an organisation's admin.",
    )
    set_public_profile: organisations.OrganisationPayload = strawberry.mutation(
        resolver=organisations.set_public_profile,
        description="Admins: show (or hide) your organisation in the public directory.",
    )
    create_coalition: coalitions.CoalitionPayload = strawberry.mutation(
        resolver=coalitions.create_coalition
    )
    invite_to_coalition: coalitions.CoalitionPayload = strawberry.mutation(
        resolver=coalitions.invite_to_coalition
    )
    answer_coalition_invitation: coalitions.CoalitionPayload = strawberry.mutation(
        resolver=coalitions.answer_coalition_invitation,
        description="Admins of the invited organisation accept or decline.",
    )
    leave_coalition: coalitions.CoalitionPayload = strawberry.mutation(
        resolver=coalitions.leave_coalition
    )
    create_contact: contacts.ContactPayload = strawberry.mutation(
        resolver=contacts.create_contact,
        description="Keep a contact: identifying fields and sensitive attributes encrypted.",
    )
    update_contact: contacts.ContactPayload = strawberry.mutation(
        resolver=contacts.update_contact, description="Replace a contact's fields (versioned)."
    )
    erase_contact: contacts.EraseContactPayload = strawberry.mutation(
        resolver=contacts.erase_contact,
        description="Destroy a contact for good (admins or grant holders; fresh second factor).",
    )
    reveal_contact: disclosure.RevealPayload = strawberry.mutation(
        resolver=disclosure.reveal_contact,
        description="Who a contact is: grant holders, a purpose, a fresh second factor; audited.",
    )
    find_contact_by_email: disclosure.FindContactsPayload = strawberry.mutation(
        resolver=disclosure.find_contact_by_email,
        description="Exact match without plaintext in the database; audited without the value.",
    )
    find_contact_by_phone: disclosure.FindContactsPayload = strawberry.mutation(
        resolver=disclosure.find_contact_by_phone,
        description="As findContactByEmail, for an international (+…) phone number.",
    )
    share_contact: contacts.ContactPayload = strawberry.mutation(
        resolver=disclosure.share_contact,
        description="Share chosen non-identifying attributes with one named organisation.",
    )
    unshare_contact: contacts.ContactPayload = strawberry.mutation(
        resolver=disclosure.unshare_contact
    )
    grant_reveal: grants.RevealGrantPayload = strawberry.mutation(resolver=grants.grant_reveal)
    revoke_reveal: grants.RevealGrantPayload = strawberry.mutation(resolver=grants.revoke_reveal)
    engage: engagements.EngagementPayload = strawberry.mutation(
        resolver=engagements.engage,
        description="Your organisation follows up a recommendation (once per recommendation).",
    )
    update_engagement: engagements.EngagementPayload = strawberry.mutation(
        resolver=engagements.update_engagement,
        description="Replace your engagement's role, note and sharing (versioned).",
    )
    disengage: engagements.DisengagePayload = strawberry.mutation(
        resolver=engagements.disengage, description="End your engagement (versioned)."
    )
    assess_implementation: assessments.AssessmentPayload = strawberry.mutation(
        resolver=assessments.assess_implementation,
        description="Record how far a recommendation is implemented; earlier ones are kept.",
    )
    update_assessment: assessments.AssessmentPayload = strawberry.mutation(
        resolver=assessments.update_assessment,
        description="Correct one of your assessments (versioned).",
    )
    withdraw_assessment: assessments.WithdrawAssessmentPayload = strawberry.mutation(
        resolver=assessments.withdraw_assessment,
        description="Delete one of your assessments, recorded in error (versioned).",
    )
    create_activity: activities.ActivityPayload = strawberry.mutation(
        resolver=activities.create_activity,
        description="Record a follow-up activity; your organisation is among its organisers.",
    )
    update_activity: activities.ActivityPayload = strawberry.mutation(
        resolver=activities.update_activity,
        description="Replace your activity's fields (versioned).",
    )
    cancel_activity: activities.ActivityPayload = strawberry.mutation(
        resolver=activities.cancel_activity,
        description="Cancel your activity; it stays on record (versioned).",
    )
    pledge_funding: pledges.PledgePayload = strawberry.mutation(
        resolver=pledges.pledge_funding,
        description="Pledge money to an activity you may see, in its budget's currency.",
    )
    update_pledge: pledges.PledgePayload = strawberry.mutation(
        resolver=pledges.update_pledge,
        description="Change your pledge's amount, status or sharing (versioned).",
    )
    export_recommendations: exports.ExportRecommendationsPayload = strawberry.mutation(
        resolver=exports.export_recommendations,
        description="One page of recommendations as CSV or JSON, holding only what you and "
        "the recipient (default: the public) may both see; every page is audited.",
    )
    import_recommendations: imports.ImportRecommendationsPayload = strawberry.mutation(
        resolver=imports.import_recommendations,
        description="Platform admins: import a small UPR-info or UHRI export (base64, at most "
        "1 MiB); larger files go through `upright import`. All rows or none; audited.",
    )

//! The one place that decides what a role may do (DESIGN.md, "Roles").
//! Pages, form handlers, server functions and the API all ask `may`.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Owner,
    Admin,
    Billing,
    Member,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Billing, Role::Member];

    /// As stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Billing => "billing",
            Role::Member => "member",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == stored)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Billing => "Billing",
            Role::Member => "Member",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    /// See the overview, collaborators, services, settings and billing.
    View,
    EditCompanyInformation,
    /// Set the payment method, see payments.
    ManageBilling,
    /// Invite, remove, change roles (an Admin not of Owners: see the collaborators work).
    ManageCollaborators,
    /// Create and delete services.
    ManageServices,
    ManageApiKeys,
    SeeActivity,
    RenameOrDelete,
    /// Require two-factor log-in of every collaborator.
    RequireTwoFactor,
    /// Leave the organization (remove one's own membership).
    Leave,
}

impl Action {
    pub const ALL: [Action; 10] = [
        Action::View,
        Action::EditCompanyInformation,
        Action::ManageBilling,
        Action::ManageCollaborators,
        Action::ManageServices,
        Action::ManageApiKeys,
        Action::SeeActivity,
        Action::RenameOrDelete,
        Action::RequireTwoFactor,
        Action::Leave,
    ];
}

/// May a member with `role` do `action` in their organization?
pub fn may(role: Role, action: Action) -> bool {
    use Action as A;
    use Role::{Admin, Billing, Member, Owner};
    match action {
        A::View | A::Leave => true,
        A::EditCompanyInformation => matches!(role, Owner | Admin | Billing),
        A::ManageBilling => matches!(role, Owner | Billing),
        A::ManageCollaborators => matches!(role, Owner | Admin),
        A::ManageServices => matches!(role, Owner | Admin | Member),
        A::ManageApiKeys | A::SeeActivity => matches!(role, Owner | Admin),
        A::RenameOrDelete | A::RequireTwoFactor => role == Owner,
    }
}

/// The roles `actor` may give (an invitation, a role change, an API key):
/// only an Owner makes an Owner. Least first.
pub fn roles_to_give(actor: Role) -> Vec<Role> {
    [Role::Member, Role::Billing, Role::Admin, Role::Owner]
        .into_iter()
        .filter(|role| *role != Role::Owner || actor == Role::Owner)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DESIGN.md's table, row by row: Owner, Admin, Billing, Member.
    #[test]
    fn every_role_against_every_action() {
        let table: [(Action, [bool; 4]); 10] = [
            (Action::View, [true, true, true, true]),
            (Action::EditCompanyInformation, [true, true, true, false]),
            (Action::ManageBilling, [true, false, true, false]),
            (Action::ManageCollaborators, [true, true, false, false]),
            (Action::ManageServices, [true, true, false, true]),
            (Action::ManageApiKeys, [true, true, false, false]),
            (Action::SeeActivity, [true, true, false, false]),
            (Action::RenameOrDelete, [true, false, false, false]),
            (Action::RequireTwoFactor, [true, false, false, false]),
            (Action::Leave, [true, true, true, true]),
        ];
        assert_eq!(table.len(), Action::ALL.len());
        for (action, allowed) in table {
            for (role, expected) in Role::ALL.into_iter().zip(allowed) {
                assert_eq!(may(role, action), expected, "{role} {action:?}");
            }
        }
    }

    #[test]
    fn roles_round_trip_through_storage() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Owner"), None);
        assert_eq!(Role::parse("root"), None);
    }
}

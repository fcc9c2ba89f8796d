//! Invitations in SQLite. Each change writes its activity entry, and an
//! invitation its email, in the same transaction.

use super::{InvitationView, PendingInvitation, Viewer, INVITATION_DAYS};
use crate::auth::Account;
use crate::clock::{format_utc, Timestamp};
use crate::error::{AppError, AppResult};
use crate::ids::{new_token, token_hash};
use crate::organizations::{activity, gate, Action, Actor, OrgAccess, Principal, Role};
use crate::page::Window;
use crate::server::db::Db;
use crate::server::rate_limit::RateLimit;
use crate::validate::Email;

const DAY: i64 = 86_400;

/// Invitation emails (new and sent again) an organization may send per
/// hour: a team's worth, not a mailing list's.
pub const INVITATION_EMAILS: RateLimit = RateLimit {
    limit: 50,
    window_secs: 3600,
    refusal: "Too many invitations sent from this organization.",
};

/// The pending invitations of an organization, by address.
pub async fn pending(
    db: &Db,
    organization_id: i64,
    now: Timestamp,
    window: Window,
) -> AppResult<(Vec<PendingInvitation>, i64)> {
    /// A pending invitation as stored, with how many there are in all.
    #[derive(sqlx::FromRow)]
    struct Row {
        email: String,
        role: String,
        expires_at: Timestamp,
        total: i64,
    }
    const PENDING: &str = "FROM invitations
          WHERE organization_id = $1 AND status = 'pending' AND expires_at > $2";
    // One query: the count rides along with the rows (a window function).
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT email, role, expires_at, count(*) OVER () AS total {PENDING} ORDER BY email_key LIMIT $3 OFFSET $4"
    ))
    .bind(organization_id)
    .bind(now)
    .bind(window.limit)
    .bind(window.offset)
    .fetch_all(&db.read)
    .await?;
    let total = match rows.first() {
        Some(row) => row.total,
        None if window.offset == 0 => 0,
        // A page past the end: how many there are, for the pager.
        None => {
            sqlx::query_scalar(&format!("SELECT count(*) {PENDING}"))
                .bind(organization_id)
                .bind(now)
                .fetch_one(&db.read)
                .await?
        }
    };
    let pending = rows
        .into_iter()
        .map(|row| {
            Ok(PendingInvitation {
                role: parse_role(&row.role)?,
                email: row.email,
                expires: format_utc(row.expires_at),
                expires_at: row.expires_at,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok((pending, total))
}

fn parse_role(stored: &str) -> AppResult<Role> {
    Role::parse(stored).ok_or_else(|| AppError::internal(format!("unknown role {stored:?}")))
}

/// How an invitation came to be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    New,
    /// The address had a pending invitation: it got a new link.
    Again,
}

/// Invites `email` as `role`: a new invitation, or, when the address has a
/// pending one, that one again with a new token (the old link dies) and the
/// role now chosen. Refused for a member's address; only an Owner invites
/// an Owner. The email is written to the outbox in the same transaction.
pub async fn invite(
    db: &Db,
    access: &OrgAccess,
    email: &Email,
    role: Role,
    public_url: &str,
    now: Timestamp,
) -> AppResult<Sent> {
    let mut tx = db.write.begin().await?;
    let access = &gate::authorize_in(&mut tx, access, Action::ManageCollaborators).await?;
    if role == Role::Owner && access.role != Role::Owner {
        return Err(AppError::field(
            super::InviteField::Role,
            "Only an Owner can invite an Owner.",
        ));
    }
    let member = 1 == sqlx::query_scalar::<_, i64>(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM memberships m JOIN accounts a ON a.id = m.account_id
                         WHERE m.organization_id = $1 AND a.email_key = $2) THEN 1 ELSE 0 END",
    )
    .bind(access.id)
    .bind(email.key())
    .fetch_one(&mut *tx)
    .await?;
    if member {
        return Err(AppError::field(
            super::InviteField::Email,
            format!("{email} is already a collaborator."),
        ));
    }
    // An expired invitation is no longer pending: it makes way for a new one.
    sqlx::query(
        "UPDATE invitations SET status = 'revoked', finished_at = $1
          WHERE organization_id = $2 AND email_key = $3 AND status = 'pending' AND expires_at <= $4",
    )
    .bind(now)
    .bind(access.id)
    .bind(email.key())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let sent = send_link(&mut tx, access, email, Some(role), public_url, now).await?;
    tx.commit().await?;
    Ok(sent)
}

/// "Resend": the pending invitation of `email` again, as the same role,
/// with a new link; `Conflict` when it was accepted or revoked meanwhile.
pub async fn resend(
    db: &Db,
    access: &OrgAccess,
    email: &Email,
    public_url: &str,
    now: Timestamp,
) -> AppResult<()> {
    let mut tx = db.write.begin().await?;
    let access = &gate::authorize_in(&mut tx, access, Action::ManageCollaborators).await?;
    send_link(&mut tx, access, email, None, public_url, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The role of `email`'s pending invitation, if any; `Forbidden` when it
/// makes an Owner and `access` is not one (only an Owner changes, resends
/// or revokes that invitation).
async fn pending_role(
    conn: &mut crate::server::db::Connection,
    access: &OrgAccess,
    email: &Email,
    now: Timestamp,
) -> AppResult<Option<Role>> {
    let stored: Option<String> = sqlx::query_scalar(
        "SELECT role FROM invitations
          WHERE organization_id = $1 AND email_key = $2 AND status = 'pending' AND expires_at > $3",
    )
    .bind(access.id)
    .bind(email.key())
    .bind(now)
    .fetch_optional(conn)
    .await?;
    let role = stored.as_deref().map(parse_role).transpose()?;
    if role == Some(Role::Owner) && access.role != Role::Owner {
        return Err(AppError::Forbidden(format!(
            "{email} is invited as an Owner: only an Owner can change, resend or revoke that invitation."
        )));
    }
    Ok(role)
}

fn gone(email: &Email) -> AppError {
    AppError::Conflict(format!(
        "There is no pending invitation for {email}: it was accepted or revoked meanwhile."
    ))
}

/// Sends `email` a new invitation link inside the caller's transaction:
/// its pending invitation renewed (as `role`, or as it was when `None`),
/// else a new one as `role`. Rate limited per organization; the activity
/// entry and the email are written with it.
async fn send_link(
    tx: &mut crate::server::db::Connection,
    access: &OrgAccess,
    email: &Email,
    role: Option<Role>,
    public_url: &str,
    now: Timestamp,
) -> AppResult<Sent> {
    INVITATION_EMAILS
        .enforce(
            tx,
            "SELECT at FROM invitation_emails WHERE organization_id = $1 AND at > $2
              ORDER BY at DESC LIMIT 1 OFFSET $3",
            access.id,
            now,
        )
        .await?;
    let pending = pending_role(tx, access, email, now).await?;
    let role = role.or(pending).ok_or_else(|| gone(email))?;
    let token = new_token();
    let expires_at = now + INVITATION_DAYS * DAY;
    let sent = if pending.is_some() {
        sqlx::query(
            "UPDATE invitations SET token_hash = $1, role = $2, expires_at = $3, invited_by = $4
              WHERE organization_id = $5 AND email_key = $6 AND status = 'pending'",
        )
        .bind(token_hash(&token))
        .bind(role.as_str())
        .bind(expires_at)
        .bind(access.account_id())
        .bind(access.id)
        .bind(email.key())
        .execute(&mut *tx)
        .await?;
        Sent::Again
    } else {
        sqlx::query(
            "INSERT INTO invitations (organization_id, email, email_key, role, token_hash, invited_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(access.id)
        .bind(email.as_str())
        .bind(email.key())
        .bind(role.as_str())
        .bind(token_hash(&token))
        .bind(access.account_id())
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        Sent::New
    };
    let action = match sent {
        Sent::New => "Collaborator invited",
        Sent::Again => "Invitation sent again",
    };
    let detail = format!("{email} as {role}");
    activity::record(tx, access.id, access.actor(), action, &detail, now).await?;
    let subject = format!("Invitation to {} on Orgpanel", access.org.name);
    let org = &access.org.name;
    // A key's description is its maker's note, not words to send to strangers.
    let invited = match &access.by {
        Principal::Person(inviter) => {
            format!(
                "{} invited you to join {org} on Orgpanel as {role}.",
                inviter.name
            )
        }
        Principal::Key(_) => format!("You are invited to join {org} on Orgpanel as {role}."),
    };
    let body = format!(
        "{invited}\n\n\
         Accept the invitation:\n{public_url}/invitations/{token}\n\n\
         The link works once, for {INVITATION_DAYS} days. If you did not expect this \
         invitation, you can ignore this email.\n",
    );
    crate::mail::enqueue(tx, email, &subject, &body, now).await?;
    sqlx::query("INSERT INTO invitation_emails (organization_id, at) VALUES ($1, $2)")
        .bind(access.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    Ok(sent)
}

/// Revokes the pending invitation of `email`: its link dies.
pub async fn revoke(db: &Db, access: &OrgAccess, email: &Email, now: Timestamp) -> AppResult<()> {
    let mut tx = db.write.begin().await?;
    let access = &gate::authorize_in(&mut tx, access, Action::ManageCollaborators).await?;
    pending_role(&mut tx, access, email, now).await?;
    let revoked = sqlx::query(
        "UPDATE invitations SET status = 'revoked', finished_at = $1
          WHERE organization_id = $2 AND email_key = $3 AND status = 'pending'",
    )
    .bind(now)
    .bind(access.id)
    .bind(email.key())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if revoked == 0 {
        return Err(gone(email));
    }
    activity::record(
        &mut tx,
        access.id,
        access.actor(),
        "Invitation revoked",
        email.as_str(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A usable invitation, as found by its token.
#[derive(sqlx::FromRow)]
struct Found {
    id: i64,
    organization_id: i64,
    public_id: String,
    name: String,
    email: String,
    email_key: String,
    role: String,
}

async fn find(
    conn: &mut crate::server::db::Connection,
    token: &str,
    now: Timestamp,
) -> AppResult<Found> {
    let found: Option<Found> = sqlx::query_as(
        "SELECT i.id, i.organization_id, o.public_id, o.name, i.email, i.email_key, i.role
           FROM invitations i JOIN organizations o ON o.id = i.organization_id
          WHERE i.token_hash = $1 AND i.status = 'pending' AND i.expires_at > $2
            AND o.deleted_at IS NULL",
    )
    .bind(token_hash(token))
    .bind(now)
    .fetch_optional(conn)
    .await?;
    found.ok_or(AppError::NotFound)
}

/// The organization (public id) that `account_id` joined by accepting the
/// invitation behind `token`, if it did and is still a member.
async fn joined_through(
    conn: &mut crate::server::db::Connection,
    token: &str,
    account_id: i64,
) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT o.public_id FROM invitations i
           JOIN organizations o ON o.id = i.organization_id AND o.deleted_at IS NULL
           JOIN memberships m ON m.organization_id = i.organization_id AND m.account_id = $2
           JOIN accounts a ON a.id = m.account_id AND a.email_key = i.email_key
          WHERE i.token_hash = $1 AND i.status = 'accepted'",
    )
    .bind(token_hash(token))
    .bind(account_id)
    .fetch_optional(conn)
    .await?)
}

/// The signed-in account's email key, read fresh.
async fn email_key_of(
    conn: &mut crate::server::db::Connection,
    account_id: i64,
) -> AppResult<String> {
    Ok(
        sqlx::query_scalar("SELECT email_key FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(conn)
            .await?,
    )
}

/// The invitation behind `token` as `account` (if any) sees it.
pub async fn invitation(
    db: &Db,
    token: &str,
    account: Option<&Account>,
    now: Timestamp,
) -> AppResult<InvitationView> {
    let mut conn = db.read.acquire().await?;
    let found = find(&mut conn, token, now).await?;
    let viewer = match account {
        None => Viewer::Visitor,
        Some(account) if email_key_of(&mut conn, account.id).await? == found.email_key => {
            Viewer::Invitee
        }
        Some(account) => Viewer::Other {
            email: account.email.clone(),
        },
    };
    Ok(InvitationView {
        organization: found.name,
        role: parse_role(&found.role)?,
        email: found.email,
        viewer,
    })
}

/// Accepts the invitation behind `token` for `account`, whose address must
/// be the invited one; returns the organization's public id, also when
/// this account accepted it already (a double click, a second tab).
pub async fn accept(db: &Db, token: &str, account: &Account, now: Timestamp) -> AppResult<String> {
    let mut tx = db.write.begin().await?;
    let found = match find(&mut tx, token, now).await {
        // A second click or tab after the first accepted it: already in.
        Err(AppError::NotFound) => {
            return joined_through(&mut tx, token, account.id)
                .await?
                .ok_or(AppError::NotFound)
        }
        found => found?,
    };
    if email_key_of(&mut tx, account.id).await? != found.email_key {
        return Err(AppError::Forbidden(format!(
            "This invitation is for {}, and you are logged in as {}. Log out, then open the link again.",
            found.email, account.email
        )));
    }
    let role = parse_role(&found.role)?;
    sqlx::query(
        "INSERT INTO memberships (organization_id, account_id, role, created_at, organization_name)
         SELECT id, $1, $2, $3, name FROM organizations WHERE id = $4
         ON CONFLICT (organization_id, account_id) DO NOTHING",
    )
    .bind(account.id)
    .bind(role.as_str())
    .bind(now)
    .bind(found.organization_id)
    .execute(&mut *tx)
    .await?;
    // The invitation's link reached this address: it is confirmed.
    crate::auth::verify::mark_confirmed(&mut tx, account.id, now).await?;
    sqlx::query("UPDATE invitations SET status = 'accepted', finished_at = $1 WHERE id = $2")
        .bind(now)
        .bind(found.id)
        .execute(&mut *tx)
        .await?;
    activity::record(
        &mut tx,
        found.organization_id,
        Actor::Person(account.id),
        "Invitation accepted",
        &format!("{} joined as {role}", found.email),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(found.public_id)
}

/// A member as a change of membership finds them.
#[derive(sqlx::FromRow)]
struct Member {
    account_id: i64,
    email: String,
    role: String,
}

async fn member(
    conn: &mut crate::server::db::Connection,
    organization_id: i64,
    email: &Email,
) -> AppResult<(Member, Role)> {
    let found: Option<Member> = sqlx::query_as(
        "SELECT m.account_id, a.email, m.role FROM memberships m JOIN accounts a ON a.id = m.account_id
          WHERE m.organization_id = $1 AND a.email_key = $2",
    )
    .bind(organization_id)
    .bind(email.key())
    .fetch_optional(&mut *conn)
    .await?;
    let found = found.ok_or_else(|| {
        AppError::Conflict(format!(
            "{email} is no longer a collaborator: the page was out of date."
        ))
    })?;
    let role = parse_role(&found.role)?;
    Ok((found, role))
}

/// Refuses the change when it would leave the organization without an
/// Owner. Counted inside the caller's write transaction, so two Owners
/// demoting each other at once cannot both succeed.
async fn keep_an_owner(
    conn: &mut crate::server::db::Connection,
    access: &OrgAccess,
    losing: Role,
) -> AppResult<()> {
    if losing != Role::Owner {
        return Ok(());
    }
    let owners: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM memberships WHERE organization_id = $1 AND role = 'owner'",
    )
    .bind(access.id)
    .fetch_one(&mut *conn)
    .await?;
    if owners <= 1 {
        return Err(AppError::Conflict(format!(
            "{} must keep an Owner: make someone else an Owner first.",
            access.org.name
        )));
    }
    Ok(())
}

/// What an Admin may not do to an Owner, or make of anyone.
fn admin_limits(actor: Role, target: Role, to: Option<Role>) -> AppResult<()> {
    if actor == Role::Owner {
        return Ok(());
    }
    if target == Role::Owner {
        return Err(AppError::Forbidden(
            "Only an Owner can change or remove an Owner.".to_owned(),
        ));
    }
    if to == Some(Role::Owner) {
        return Err(AppError::Forbidden(
            "Only an Owner can make someone an Owner.".to_owned(),
        ));
    }
    Ok(())
}

/// Gives the member with `email` the role `to`.
pub async fn change_role(
    db: &Db,
    access: &OrgAccess,
    email: &Email,
    to: Role,
    now: Timestamp,
) -> AppResult<()> {
    let mut tx = db.write.begin().await?;
    let access = &gate::authorize_in(&mut tx, access, Action::ManageCollaborators).await?;
    let (target, from) = member(&mut tx, access.id, email).await?;
    admin_limits(access.role, from, Some(to))?;
    if from == to {
        return Ok(());
    }
    keep_an_owner(&mut tx, access, from).await?;
    sqlx::query("UPDATE memberships SET role = $1 WHERE organization_id = $2 AND account_id = $3")
        .bind(to.as_str())
        .bind(access.id)
        .bind(target.account_id)
        .execute(&mut *tx)
        .await?;
    crate::api_keys::revoke_made_by_in(&mut tx, access, target.account_id, Some(to), now).await?;
    activity::record(
        &mut tx,
        access.id,
        access.actor(),
        "Role changed",
        &format!("{}: {from} → {to}", target.email),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes the member with `email` (or, when it is the actor, leaves).
pub async fn remove(db: &Db, access: &OrgAccess, email: &Email, now: Timestamp) -> AppResult<()> {
    let mut tx = db.write.begin().await?;
    let (target, role) = member(&mut tx, access.id, email).await?;
    let leaving = access.account_id() == Some(target.account_id);
    if !leaving {
        let access = gate::authorize_in(&mut tx, access, Action::ManageCollaborators).await?;
        admin_limits(access.role, role, None)?;
    }
    keep_an_owner(&mut tx, access, role).await?;
    sqlx::query("DELETE FROM memberships WHERE organization_id = $1 AND account_id = $2")
        .bind(access.id)
        .bind(target.account_id)
        .execute(&mut *tx)
        .await?;
    crate::api_keys::revoke_made_by_in(&mut tx, access, target.account_id, None, now).await?;
    let (action, detail) = if leaving {
        (
            "Left the organization",
            format!("{} ({role})", target.email),
        )
    } else {
        ("Collaborator removed", format!("{} ({role})", target.email))
    };
    activity::record(&mut tx, access.id, access.actor(), action, &detail, now).await?;
    tx.commit().await?;
    Ok(())
}

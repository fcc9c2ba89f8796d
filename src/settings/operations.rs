//! Deleting an organization, by its Owner on Settings or through the API
//! alike: its money settled first.

use super::DeleteField;
use crate::billing::card::{settle_before_delete, Unsettled};
use crate::clock::format_utc;
use crate::error::{AppError, AppResult};
use crate::organizations::{gate, Action, Principal};
use crate::server::AppState;
use crate::validate::OrganizationName;

/// Deletes the organization once its name is typed and no money of it is
/// under way: open card pages are closed at the provider first, and a
/// pending refund makes the person come back later.
pub async fn delete(state: &AppState, by: &Principal, org: &str, confirm: &str) -> AppResult<()> {
    let access = gate::authorize(&state.db, by, org, Action::RenameOrDelete).await?;
    if !OrganizationName::same(&access.org.name, confirm) {
        return Err(AppError::field(
            DeleteField::Confirm,
            "Type the organization's name exactly as shown to delete it.",
        ));
    }
    let now = state.clock.now();
    let reason = match settle_before_delete(state, access.id).await? {
        None => None,
        Some(Unsettled::RefundPending { due }) => Some((
            format!(
                "its 1.00 EUR card verification is refunded at {}",
                format_utc(due)
            ),
            // The worker refunds within a second or two of the due time.
            due + 5,
        )),
        Some(Unsettled::CardPageOpen) => Some((
            "the payment provider did not confirm that its card page is closed".to_owned(),
            now + 60,
        )),
    };
    if let Some((why, retry_at)) = reason {
        let wait = (retry_at - now).max(1);
        let when = match (wait, (wait + 59) / 60) {
            (1, _) => "1 second".to_owned(),
            (2..=59, _) => format!("{wait} seconds"),
            (_, 1) => "1 minute".to_owned(),
            (_, minutes) => format!("{minutes} minutes"),
        };
        return Err(AppError::Conflict(format!(
            "This organization cannot be deleted yet: {why}. Nothing was deleted. Try again in {when}."
        )));
    }
    crate::organizations::operations::delete(state, &access).await
}

//! Making and revoking API keys.

use super::{parse_description, store, ApiKeyField, ApiKeyForm, CreatedKey};
use crate::error::{AppError, AppResult};
use crate::organizations::permissions::roles_to_give;
use crate::organizations::{gate, Action, Principal, Role};
use crate::server::AppState;
use crate::validate::FieldError;

/// Makes a key with the form's description and role (at most the maker's:
/// only an Owner gives Owner). Only a person makes keys.
pub async fn create(
    state: &AppState,
    by: &Principal,
    org: &str,
    form: &ApiKeyForm,
) -> AppResult<CreatedKey> {
    if !matches!(by, Principal::Person(_)) {
        return Err(AppError::Forbidden(
            "API keys are made on the API keys page, by an Owner or Admin.".into(),
        ));
    }
    let access = gate::authorize(&state.db, by, org, Action::ManageApiKeys).await?;
    let description = parse_description(&form.description);
    let role = Role::parse(&form.role)
        .filter(|role| roles_to_give(access.role).contains(role))
        .ok_or_else(|| match Role::parse(&form.role) {
            Some(_) => "Only an Owner can make a key with the Owner role.".to_owned(),
            None => "Choose the key's role.".to_owned(),
        });
    let (description, role) = match (description, role) {
        (Ok(description), Ok(role)) => (description, role),
        (description, role) => {
            let errors = [
                description
                    .err()
                    .map(|m| FieldError::new(ApiKeyField::Description, m)),
                role.err().map(|m| FieldError::new(ApiKeyField::Role, m)),
            ];
            return Err(AppError::Invalid(errors.into_iter().flatten().collect()));
        }
    };
    let key = store::create(
        &state.db,
        &access,
        &description,
        role,
        &form.request,
        state.clock.now(),
    )
    .await?;
    let customer_number = access.org.customer_number.clone();
    let curl = format!(
        "curl -u '{customer_number}:{key}' {}/customer/settings",
        super::api_url(state)
    );
    Ok(CreatedKey {
        description,
        role,
        customer_number,
        key,
        curl,
    })
}

/// Revokes the key `public_id`: calls with it fail from now on.
pub async fn revoke(
    state: &AppState,
    by: &Principal,
    org: &str,
    public_id: &str,
) -> AppResult<String> {
    let access = gate::authorize(&state.db, by, org, Action::ManageApiKeys).await?;
    store::revoke(&state.db, &access, public_id, state.clock.now()).await
}

//! The POST side of the Account page: its forms, told apart by `intent`.

use super::operations::{
    begin_two_factor, change_name, change_password, confirm_two_factor, end_other_sessions,
    end_session, request_email_change, turn_off_two_factor,
};
use super::{
    EmailForm, NameForm, PasswordForm, ResendForm, SessionForm, ShownRecoveryCodes,
    TwoFactorCodeForm, TwoFactorOffForm,
};
use crate::auth::Account;
use crate::server::render::{refused, render_with_context, see_other};
use crate::server::{AppState, Client};
use axum::extract::State;
use axum::http::request::Parts;
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(tag = "intent", rename_all = "kebab-case")]
pub enum AccountForm {
    Name(NameForm),
    Password(PasswordForm),
    EndSession(SessionForm),
    EndOthers,
    Email(EmailForm),
    ResendVerification,
    TwoFactorSetup,
    TwoFactorConfirm(TwoFactorCodeForm),
    TwoFactorOff(TwoFactorOffForm),
}

pub async fn account(
    State(state): State<AppState>,
    Extension(account): Extension<Account>,
    client: Client,
    parts: Parts,
    Form(form): Form<AccountForm>,
) -> Response {
    match form {
        AccountForm::Name(form) => match change_name(&state, &account, &form.name).await {
            Ok(()) => see_other("/account?saved=name"),
            Err(error) => refused(&state, parts, error, form).await,
        },
        AccountForm::Password(form) => {
            match change_password(
                &state,
                &account,
                &client,
                &form.current_password,
                &form.new_password,
            )
            .await
            {
                Ok(()) => see_other("/account?saved=password"),
                Err(error) => refused(&state, parts, error, PasswordForm::default()).await,
            }
        }
        AccountForm::EndSession(form) => {
            match end_session(&state, &account, &client, &form.session).await {
                Ok(true) => see_other("/account?ended=one"),
                Ok(false) => see_other("/account?ended=none"),
                Err(error) => refused(&state, parts, error, form).await,
            }
        }
        AccountForm::Email(form) => {
            match request_email_change(&state, &account, &client, &form.new_email, &form.password)
                .await
            {
                Ok(()) => see_other("/account?sent=change"),
                Err(error) => {
                    let typed = EmailForm {
                        new_email: form.new_email,
                        password: String::new(),
                    };
                    refused(&state, parts, error, typed).await
                }
            }
        }
        AccountForm::ResendVerification => {
            match crate::auth::verify::resend(&state, &account).await {
                Ok(()) => see_other("/account?sent=verification"),
                Err(error) => refused(&state, parts, error, ResendForm).await,
            }
        }
        AccountForm::TwoFactorSetup => match begin_two_factor(&state, &account).await {
            Ok(()) => see_other("/account?setup=two-factor#two-factor-heading"),
            Err(error) => refused(&state, parts, error, TwoFactorCodeForm::default()).await,
        },
        AccountForm::TwoFactorConfirm(form) => {
            match confirm_two_factor(
                &state,
                &account,
                &client,
                &form.password,
                &form.setup,
                &form.code,
            )
            .await
            {
                // Shown in this answer only: the codes are stored as hashes.
                Ok(codes) => {
                    render_with_context(
                        &state,
                        parts,
                        ShownRecoveryCodes(codes),
                        axum::http::StatusCode::OK,
                    )
                    .await
                }
                Err(error) => refused(&state, parts, error, TwoFactorCodeForm::default()).await,
            }
        }
        AccountForm::TwoFactorOff(form) => {
            match turn_off_two_factor(&state, &account, &client, &form.password, &form.code).await {
                Ok(()) => see_other("/account?saved=two-factor-off"),
                Err(error) => refused(&state, parts, error, TwoFactorOffForm::default()).await,
            }
        }
        AccountForm::EndOthers => match end_other_sessions(&state, &account, &client).await {
            Ok(()) => see_other("/account?ended=others"),
            Err(error) => refused(&state, parts, error, SessionForm::default()).await,
        },
    }
}

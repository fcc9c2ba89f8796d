//! The POST side of the Account page: its forms, told apart by `intent`.

use super::operations::{
    change_name, change_password, end_other_sessions, end_session, request_email_change,
};
use super::{EmailForm, NameForm, PasswordForm, ResendForm, SessionForm};
use crate::auth::Account;
use crate::server::render::{refused, see_other};
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
        AccountForm::EndOthers => match end_other_sessions(&state, &account, &client).await {
            Ok(()) => see_other("/account?ended=others"),
            Err(error) => refused(&state, parts, error, SessionForm::default()).await,
        },
    }
}

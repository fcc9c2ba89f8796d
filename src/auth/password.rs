//! Password hashing: argon2id, m=19456 KiB, t=2, p=1 (OWASP's first
//! choice), stored as a PHC string, computed off the async runtime.

use crate::error::{AppError, AppResult};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(AppError::internal)
    })
    .await?
}

/// Checks `password` against a stored PHC string. With no account
/// (`stored == None`) it still does the work of one check, so the time a
/// log-in takes does not tell whether the email exists.
pub async fn verify(password: String, stored: Option<String>) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let stored = stored.as_deref().unwrap_or_else(|| dummy_hash());
        let parsed = PasswordHash::new(stored).map_err(AppError::internal)?;
        Ok(argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await?
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(b"not a real password", &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

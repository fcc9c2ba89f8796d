//! Random identifiers that leave the server: organizations' public ids in
//! URLs, the ids the payment provider gives its sessions, tokens and
//! payments, and secret tokens (sessions, invitations), which the database
//! keeps only as hashes.

use base64::Engine as _;
use rand::RngCore as _;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// A customer number candidate: 7 digits, the first not 0, drawn at
/// random (so numbers say nothing of how many customers there are). The
/// caller makes sure it is free.
pub fn new_customer_number() -> String {
    let mut bytes = [0u8; 4];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    (1_000_000 + u32::from_le_bytes(bytes) % 9_000_000).to_string()
}

/// A secret token: 256 random bits of the operating system's generator, as
/// 43 characters of base64url (RFC 4648, no padding).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token: its SHA-256, 64 hex digits.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// 16 characters of lower-case base32 (RFC 4648's alphabet) from 80 random
/// bits of the operating system's generator: not guessable, not sequential.
pub fn new_public_id() -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut bytes = [0u8; 10];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let bits = bytes
        .iter()
        .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
    (0..16)
        .map(|i| ALPHABET[((bits >> (75 - 5 * i)) & 31) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{new_public_id, new_token, token_hash};

    #[test]
    fn tokens_are_256_bits_and_kept_as_their_sha256() {
        let token = new_token();
        assert_eq!(token.len(), 43);
        assert_ne!(token, new_token());
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "FIPS 180-2's example"
        );
    }

    #[test]
    fn public_ids_are_random_and_url_safe() {
        let a = new_public_id();
        let b = new_public_id();
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c)));
    }
}

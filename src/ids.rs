//! Random identifiers that leave the server: organizations' public ids in
//! URLs, and the ids the payment provider gives its sessions, tokens and
//! payments.

use rand::RngCore as _;

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
    use super::new_public_id;

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

//! argon2id hashing (the crate's defaults, which are OWASP's), off the async runtime.
//! Each hash needs 19 MiB: at most one per core runs at once (the others wait their turn),
//! so a burst of logins cannot grow memory without bound.

use std::sync::OnceLock;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

fn permits() -> &'static Semaphore {
    static S: OnceLock<Semaphore> = OnceLock::new();
    S.get_or_init(|| {
        Semaphore::new(
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
        )
    })
}

/// Hashes a password for storage (PHC string with its own random salt).
pub async fn hash(password: String) -> anyhow::Result<String> {
    let _turn = permits().acquire().await?;
    tokio::task::spawn_blocking(move || {
        let h: PasswordHash = Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
        Ok(h.to_string())
    })
    .await?
}

/// A hash to verify against when the account does not exist or has no password yet,
/// so the answer takes as long either way and timing reveals nothing.
fn dummy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| {
        let h: PasswordHash = Argon2::default()
            .hash_password(b"portee-dummy-password-Aa1")
            .expect("argon2 hashes a constant");
        h.to_string()
    })
}

/// Verifies `password` against `stored`; `None` still spends the same work.
pub async fn verify(stored: Option<String>, password: String) -> anyhow::Result<bool> {
    let _turn = permits().acquire().await?;
    tokio::task::spawn_blocking(move || {
        let (phc, real) = match &stored {
            Some(s) => (s.as_str(), true),
            None => (dummy_hash(), false),
        };
        let parsed = PasswordHash::new(phc).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && real)
    })
    .await?
}

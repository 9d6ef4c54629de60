//! Team users and their API tokens (team mode, `parallax serve`).

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{ApiError, ApiResult, Engine};
use crate::store::{Role, TeamUser};

/// Tokens start with this, so a leaked one is recognisable in logs and secret scanners.
const TOKEN_PREFIX: &str = "plx_";

/// What is stored for a token: its SHA-256 (tokens are 256 random bits, so a fast hash is
/// enough: there is nothing to guess).
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Engine {
    /// Add a team user. Returns their API token: shown once, stored only as a hash.
    pub fn add_user(&self, name: &str, role: Role) -> ApiResult<String> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(ApiError::precondition(
                "a user name is 1 to 64 printable characters",
            ));
        }
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let token = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
        self.with_store(|s| s.add_user(name, role, &token_hash(&token)))?;
        Ok(token)
    }

    /// The user a token belongs to, `None` for an unknown token.
    pub fn authenticate(&self, token: &str) -> ApiResult<Option<TeamUser>> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        self.with_store(|s| s.user_by_token(&token_hash(token)))
    }
}

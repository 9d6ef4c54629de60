//! Team users: a name, a role and the SHA-256 of an API token (the token itself is shown once
//! and never stored).

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Result, SqliteStore, StoreError, ts};

/// What a user may do through the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads stories, items, search and alerts.
    Reader,
    /// Also corrects stories and manages watches and sources.
    Editor,
    /// Also manages users.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "reader" => Some(Role::Reader),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamUser {
    pub name: String,
    pub role: Role,
}

pub(crate) fn role_from(s: &str) -> Result<Role> {
    Role::parse(s).ok_or_else(|| StoreError::Invalid(format!("unknown role {s:?} in the archive")))
}

impl SqliteStore {
    /// Add a user with the hash of their token; a taken name is refused.
    pub fn add_user(&self, name: &str, role: Role, token_sha256: &str) -> Result<()> {
        let n = self.conn().execute(
            "INSERT INTO users(name, role, token_sha256, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(name) DO NOTHING",
            params![name, role.as_str(), token_sha256, ts(&chrono::Utc::now())],
        )?;
        if n == 0 {
            return Err(StoreError::Invalid(format!("user {name} already exists")));
        }
        Ok(())
    }

    /// The user whose token has this hash.
    pub fn user_by_token(&self, token_sha256: &str) -> Result<Option<TeamUser>> {
        let row: Option<(String, String)> = self
            .conn()
            .query_row(
                "SELECT name, role FROM users WHERE token_sha256 = ?1",
                [token_sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(name, role)| {
            Ok(TeamUser {
                name,
                role: role_from(&role)?,
            })
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    crate::store::testing::on_both_backends!(a_token_hash_finds_its_user_once);
    fn a_token_hash_finds_its_user_once(s: Store) {
        s.add_user("maryam", Role::Editor, "aa11").unwrap();
        s.add_user("omid", Role::Reader, "bb22").unwrap();
        assert_eq!(
            s.user_by_token("aa11").unwrap(),
            Some(TeamUser {
                name: "maryam".into(),
                role: Role::Editor
            })
        );
        assert_eq!(
            s.user_by_token("bb22").unwrap().map(|u| u.role),
            Some(Role::Reader)
        );
        assert_eq!(s.user_by_token("cc33").unwrap(), None);
        let again = s.add_user("maryam", Role::Admin, "dd44").unwrap_err();
        assert!(again.to_string().contains("already exists"), "{again}");
        assert_eq!(s.user_by_token("dd44").unwrap(), None);
    }
}

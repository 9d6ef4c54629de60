use super::super::users::{Role, TeamUser, role_from};
use super::super::{Result, StoreError, ts};
use super::PgStore;

impl PgStore {
    pub fn add_user(&self, name: &str, role: Role, token_sha256: &str) -> Result<()> {
        let n = self.db().execute(
            "INSERT INTO users(name, role, token_sha256, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT(name) DO NOTHING",
            &[
                &name,
                &role.as_str(),
                &token_sha256,
                &ts(&chrono::Utc::now()),
            ],
        )?;
        if n == 0 {
            return Err(StoreError::Invalid(format!("user {name} already exists")));
        }
        Ok(())
    }

    pub fn user_by_token(&self, token_sha256: &str) -> Result<Option<TeamUser>> {
        self.db()
            .query_opt(
                "SELECT name, role FROM users WHERE token_sha256 = $1",
                &[&token_sha256],
            )?
            .map(|r| {
                Ok(TeamUser {
                    name: r.get(0),
                    role: role_from(r.get(1))?,
                })
            })
            .transpose()
    }
}

//! Bearer-token authentication and role checks.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;

use super::{HttpError, Shared, call};
use crate::api::ApiError;
use crate::error::Code;
use crate::store::{Role, TeamUser};

/// The authenticated user of a request. Extracting it refuses a request without a valid token
/// (401).
pub(super) struct Caller(pub TeamUser);

impl Caller {
    /// Refuse (403) a caller whose role is below `role`.
    pub(super) fn require(&self, role: Role) -> Result<(), HttpError> {
        if self.0.role >= role {
            return Ok(());
        }
        Err(HttpError(
            StatusCode::FORBIDDEN,
            ApiError::new(
                Code::Precondition,
                format!(
                    "{} is a {}: this needs the {} role",
                    self.0.name,
                    self.0.role.as_str(),
                    role.as_str()
                ),
            ),
        ))
    }
}

fn unauthorized(message: &str) -> HttpError {
    HttpError(
        StatusCode::UNAUTHORIZED,
        ApiError::new(Code::Precondition, message),
    )
}

#[axum::async_trait]
impl FromRequestParts<Shared> for Caller {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, st: &Shared) -> Result<Self, HttpError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string())
            .ok_or_else(|| unauthorized("an API token is needed: Authorization: Bearer <token>"))?;
        call(&st.engine, move |e| e.authenticate(&token))
            .await?
            .map(Caller)
            .ok_or_else(|| unauthorized("unknown API token"))
    }
}

//! `/api/users`: admins manage who may read (the same users as `cablescope users`).
//!
//! | route | what |
//! |---|---|
//! | `GET /api/users` | every user (never a token) |
//! | `POST /api/users` | add a user: `{"name", "role", "clearance", "expires_days"?}`; `201` with their token |
//! | `POST /api/users/{name}/revoke` | their token stops working; the name stays taken |
//! | `POST /api/users/{name}/rotate` | a new token (in the answer); the old one stops working |
//!
//! An admin cannot add a user cleared above their own clearance and controls, nor
//! rotate (and so obtain) the token of one (`403 forbidden`): file-system access,
//! through `cablescope users`, stays the root. A token appears once, in the answer
//! that made it; only its digest is kept.
//! Every change is written to the audit log (action `users`). Revoking or
//! rotating ends the user's browser sessions at their next request.

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::Json;
use cablescope_access::audit::AuditEntry;
use cablescope_access::users::{self, AccessError, Users};
use cablescope_access::{Role, User};
use serde::Deserialize;
use utoipa::ToSchema;

use super::types::{ErrorBody, RevokeResponse, UserInfo, UserTokenResponse, UsersResponse};
use super::{ApiJson, ApiPath};
use crate::error::{ApiError, ApiResult};
use crate::gate;
use crate::{AppState, Viewer};

/// The body of `POST /api/users`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// 1–64 characters of `A-Z a-z 0-9 . _ @ -`.
    pub name: String,
    /// `reader` (default), `curator` or `admin`.
    pub role: Option<String>,
    /// Level and caveats joined by `+`: `U`, `C`, `S+NOFORN`, `TS+NOFORN+EXDIS`
    /// (levels U, SBU/LOU, C, S, TS or their full names).
    pub clearance: String,
    /// The token stops working this many days from now (default: never).
    pub expires_days: Option<u32>,
}

/// The user as the API shows them.
pub fn info(u: &User) -> UserInfo {
    UserInfo {
        name: u.name.clone(),
        role: u.role.to_string(),
        clearance: users::clearance_label(&u.clearance),
        created: u.created.to_string(),
        expires: u.expires.map(|t| t.to_string()),
        status: u.status().to_string(),
        token_id: u.token_id.clone(),
    }
}

fn access_error(e: AccessError) -> ApiError {
    match e {
        AccessError::InvalidName(_)
        | AccessError::InvalidClearance(_)
        | AccessError::ExpiryOutOfRange(_) => ApiError::bad_request("bad_body", e.to_string()),
        AccessError::NameTaken(_) | AccessError::UserRevoked(_) => {
            ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string())
        }
        AccessError::NoSuchUser(_) => ApiError::not_found(e.to_string()),
        AccessError::AboveOwnClearance(_) => {
            ApiError::new(StatusCode::FORBIDDEN, "forbidden", e.to_string())
        }
        other => ApiError::internal(other),
    }
}

/// Runs `f` with the archive's users on a blocking thread, as admin `viewer`
/// (checked first), and writes `audit` (when given) for what `f` returns.
async fn as_admin<T: Send + 'static>(
    state: &AppState,
    viewer: &Viewer,
    what: &'static str,
    f: impl FnOnce(&Users) -> Result<(T, Option<String>), AccessError> + Send + 'static,
) -> ApiResult<T> {
    gate::require(state, viewer, Role::Admin, what)?;
    let (st, v) = (state.clone(), viewer.clone());
    tokio::task::spawn_blocking(move || {
        let (out, change) = st
            .auth()
            .with_users(f)
            .map_err(access_error)?
            .map_err(access_error)?;
        if let Some(c) = change {
            let mut e = AuditEntry::for_viewer(&v.access_viewer(), "users", &c);
            e.results = 1;
            st.auditor()
                .record_read(&e)
                .map_err(|e| ApiError::internal(format!("cannot write the audit log: {e}")))?;
        }
        Ok(out)
    })
    .await
    .map_err(ApiError::internal)?
}

fn get_user(u: &Users, name: &str) -> Result<User, AccessError> {
    u.get(name)?
        .ok_or_else(|| AccessError::NoSuchUser(name.to_string()))
}

/// Every user (admins).
#[utoipa::path(
    get,
    path = "/api/users",
    tag = "users",
    responses((status = 200, description = "Every user, by name", body = UsersResponse))
)]
pub async fn list(State(state): State<AppState>, viewer: Viewer) -> ApiResult<Json<UsersResponse>> {
    let users = as_admin(&state, &viewer, "managing users", |u| {
        Ok((u.list()?.iter().map(info).collect(), None))
    })
    .await?;
    Ok(Json(UsersResponse { users }))
}

/// Adds a user (admins); the answer holds their token, shown this once.
#[utoipa::path(
    post,
    path = "/api/users",
    tag = "users",
    request_body = NewUser,
    responses(
        (status = 201, description = "The user and their token", body = UserTokenResponse),
        (status = 400, description = "Bad name, role, clearance or expiry", body = ErrorBody),
        (status = 403, description = "Not an admin, or a clearance above the admin's own", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
    )
)]
pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    req: Request,
) -> ApiResult<(StatusCode, Json<UserTokenResponse>)> {
    // The role before the body: a refused caller learns nothing about its shape.
    gate::require(&state, &viewer, Role::Admin, "managing users")?;
    let ApiJson(body) = ApiJson::<NewUser>::from_request(req, &state).await?;
    let role: Role = match body.role.as_deref() {
        None => Role::Reader,
        Some(r) => r
            .parse()
            .map_err(|e: String| ApiError::bad_request("bad_body", e))?,
    };
    let mut parts = body.clearance.split('+');
    let level = parts.next().unwrap_or("");
    let caveats: Vec<&str> = parts.collect();
    let clearance = users::parse_clearance(level, &caveats).map_err(access_error)?;
    // An admin grants no more than they hold (the CLI, with file access, is the
    // root).
    let mine = viewer.clearance.clone();
    let r = as_admin(&state, &viewer, "managing users", move |u| {
        let token = u.add_as(&mine, &body.name, &clearance, role, body.expires_days)?;
        let user = get_user(u, &body.name)?;
        let change = format!(
            "add {} role={role} clearance={} expires={}",
            user.name,
            users::clearance_label(&user.clearance),
            user.expires
                .map(|t| t.to_string())
                .unwrap_or_else(|| "never".into())
        );
        Ok((
            UserTokenResponse {
                user: info(&user),
                token,
            },
            Some(change),
        ))
    })
    .await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// Revokes a user (admins): their token stops working at once.
#[utoipa::path(
    post,
    path = "/api/users/{name}/revoke",
    tag = "users",
    params(("name" = String, Path, description = "The user name")),
    responses(
        (status = 200, description = "The revoked user", body = RevokeResponse),
        (status = 404, description = "No such user", body = ErrorBody),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<RevokeResponse>> {
    let r = as_admin(&state, &viewer, "managing users", move |u| {
        let changed = u.revoke(&name)?;
        let user = get_user(u, &name)?;
        let change = changed.then(|| format!("revoke {name}"));
        Ok((
            RevokeResponse {
                user: info(&user),
                changed,
            },
            change,
        ))
    })
    .await?;
    Ok(Json(r))
}

/// Gives a user a new token (admins): the old one stops working at once.
#[utoipa::path(
    post,
    path = "/api/users/{name}/rotate",
    tag = "users",
    params(("name" = String, Path, description = "The user name")),
    responses(
        (status = 200, description = "The user and their new token", body = UserTokenResponse),
        (status = 403, description = "Not an admin, or a user cleared above the admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The user is revoked", body = ErrorBody),
    )
)]
pub async fn rotate(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<UserTokenResponse>> {
    let mine = viewer.clearance.clone();
    let r = as_admin(&state, &viewer, "managing users", move |u| {
        let token = u.rotate_as(&mine, &name)?;
        let user = get_user(u, &name)?;
        Ok((
            UserTokenResponse {
                user: info(&user),
                token,
            },
            Some(format!("rotate {name}")),
        ))
    })
    .await?;
    Ok(Json(r))
}

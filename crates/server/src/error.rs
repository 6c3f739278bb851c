//! The API's error type: an HTTP status and the JSON body
//! `{"error": {"code", "message", "position"?}}` ([`ErrorBody`]).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::api::types::{ErrorBody, ErrorDetail};

/// An error answered to an API client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable error code (see [`ErrorDetail::code`]).
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// For a malformed query: the character offset of the problem.
    pub position: Option<usize>,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            position: None,
        }
    }

    /// 400 with a code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 400 `bad_parameter`.
    pub fn bad_parameter(message: impl Into<String>) -> ApiError {
        ApiError::bad_request("bad_parameter", message)
    }

    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500 `internal`; the cause goes to the server's log ([`crate::logging`]), not to the
    /// client.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(cause = %cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error (details are in the server's log)",
        )
    }

    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
                position: self.position,
            },
        }
    }
}

impl From<cablescope_access::Error> for ApiError {
    fn from(e: cablescope_access::Error) -> ApiError {
        use cablescope_access::Error as E;
        match e {
            E::Query(q) => ApiError {
                status: StatusCode::BAD_REQUEST,
                code: "bad_query",
                message: q.to_string(),
                position: Some(q.position),
            },
            E::Cursor(m) => ApiError::bad_request(
                "bad_cursor",
                format!("bad cursor: {m}; start again without `cursor`"),
            ),
            E::NotFound(what) => ApiError::not_found(format!("not found: {what}")),
            other => ApiError::internal(other),
        }
    }
}

impl From<cablescope_access::query::QuerySyntaxError> for ApiError {
    fn from(e: cablescope_access::query::QuerySyntaxError) -> ApiError {
        cablescope_access::Error::Query(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(self.body())).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            // Busy or timed out: worth retrying shortly.
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        r
    }
}

/// Result of an API handler.
pub type ApiResult<T> = Result<T, ApiError>;

//! `POST /api/ingest?name=FILE`: curators add cables by uploading a file.
//!
//! The request body is the file itself (any format `cablescope ingest` reads: a
//! telegram, a viewer page, `cables.csv`, a JSON export, or an archive of them —
//! `.zip`, `.tar`, `.tar.gz`, `.gz`), named by `name` (its extension tells the
//! container). It is streamed to `ARCHIVE/uploads/NAME` and ingested from there
//! with the archive's writer, on a blocking thread; the answer is the ingest
//! summary. Uploads are kept: uploading the same name again with the same bytes
//! adds nothing, with changed bytes replaces that file's cables (like re-running
//! `cablescope ingest` on a changed file).
//!
//! Why an upload rather than a path on the server: a path would let a curator
//! make the server read (and then serve) any file it can open. An upload reads
//! only what the curator sends.
//!
//! ```sh
//! curl -H "Authorization: Bearer $TOKEN" --data-binary @cables.zip \
//!      'http://127.0.0.1:8080/api/ingest?name=cables.zip'
//! ```

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use cablescope_access::audit::AuditEntry;
use cablescope_access::{Admin, IngestOptions, Role};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use utoipa::IntoParams;

use super::types::{ErrorBody, IngestResponse};
use super::ApiQuery;
use crate::auth;
use crate::error::{ApiError, ApiResult};
use crate::gate;
use crate::{AppState, Viewer};

/// The route.
pub const PATH: &str = "/api/ingest";

/// Folder of the archive directory that keeps uploads.
pub const UPLOADS_DIR: &str = "uploads";

/// Longest upload name.
const MAX_NAME: usize = 120;

/// Parameters of `POST /api/ingest`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IngestParams {
    /// The file's name (`cables.zip`, `08MOSCOW1599.txt`): letters, digits, `.`,
    /// `_` and `-`, not starting with `.`; its extension tells the container.
    pub name: Option<String>,
    /// `true`: read the file again even when it is recorded unchanged.
    pub force: Option<bool>,
}

/// Checks an upload name: a plain file name, no path, nothing hidden.
fn upload_name(name: Option<&str>) -> ApiResult<String> {
    let Some(n) = name.map(str::trim).filter(|n| !n.is_empty()) else {
        return Err(ApiError::bad_parameter(
            "name the uploaded file: ?name=FILE (its extension tells the format, e.g. cables.zip)",
        ));
    };
    let ok = n.len() <= MAX_NAME
        && !n.starts_with('.')
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !ok {
        return Err(ApiError::bad_parameter(format!(
            "name must be 1 to {MAX_NAME} letters, digits, '.', '_' or '-', not starting with '.', not {n:?}"
        )));
    }
    Ok(n.to_string())
}

/// Streams `body` to `tmp`, then moves it to `dest`; returns the bytes written.
/// A body over the limit, or cut short, leaves nothing behind.
async fn save(body: Body, tmp: &Path, dest: &Path) -> ApiResult<u64> {
    let io = |what: &str, e: std::io::Error| ApiError::internal(format!("{what}: {e}"));
    let mut file = tokio::fs::File::create(tmp)
        .await
        .map_err(|e| io("creating the upload", e))?;
    let mut stream = body.into_data_stream();
    let mut n: u64 = 0;
    let result: ApiResult<()> = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| {
                if over_limit(&e) {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "too_large",
                        "the upload is larger than the server accepts",
                    )
                } else {
                    ApiError::bad_request("bad_body", format!("reading the upload: {e}"))
                }
            })?;
            n += chunk.len() as u64;
            file.write_all(&chunk)
                .await
                .map_err(|e| io("writing the upload", e))?;
        }
        file.sync_all()
            .await
            .map_err(|e| io("writing the upload", e))?;
        Ok(())
    }
    .await;
    drop(file);
    if let Err(e) = result {
        let _ = tokio::fs::remove_file(tmp).await;
        return Err(e);
    }
    if n == 0 {
        let _ = tokio::fs::remove_file(tmp).await;
        return Err(ApiError::bad_request("bad_body", "the upload is empty"));
    }
    tokio::fs::rename(tmp, dest)
        .await
        .map_err(|e| io("storing the upload", e))?;
    Ok(n)
}

/// Uploads a file of cables and ingests it (curators and admins).
#[utoipa::path(
    post,
    path = "/api/ingest",
    tag = "archive",
    params(IngestParams),
    request_body(content = Vec<u8>, description = "The file: a telegram, a viewer page, cables.csv, a JSON export, or a .zip/.tar/.tar.gz/.gz of them", content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "The ingest summary", body = IngestResponse),
        (status = 400, description = "No or bad name, empty upload", body = ErrorBody),
        (status = 409, description = "Another ingest is running; retry later", body = ErrorBody),
        (status = 413, description = "The upload is too large", body = ErrorBody),
    )
)]
pub async fn ingest(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(p): ApiQuery<IngestParams>,
    body: Body,
) -> ApiResult<Json<IngestResponse>> {
    // The role first: nothing of a refused request is read or written.
    gate::require(&state, &viewer, Role::Curator, "ingest")?;
    let name = upload_name(p.name.as_deref())?;
    let _permit = state.try_ingest_permit().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "busy",
            "another ingest is running; retry when it is done",
        )
    })?;
    let dir: PathBuf = state.dir().join(UPLOADS_DIR);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| ApiError::internal(format!("creating {}: {e}", dir.display())))?;
    let suffix = auth::session::random_hex().map_err(ApiError::internal)?;
    let tmp = dir.join(format!(".{name}.{}.part", &suffix[..16]));
    let dest = dir.join(&name);
    let bytes = save(body, &tmp, &dest).await?;

    let opts = IngestOptions {
        force: p.force.unwrap_or(false),
        ..IngestOptions::default()
    };
    let archive_dir = state.dir().to_path_buf();
    let location = state.config().store.clone();
    let (st, v, what) = (
        state.clone(),
        viewer.clone(),
        format!("upload {name} ({bytes} bytes)"),
    );
    let (summary, cables) = tokio::task::spawn_blocking(move || {
        let mut a = if location.is_shared() {
            Admin::open_on(&archive_dir, &location)?
        } else {
            Admin::open_existing(&archive_dir)?
        };
        let summary = a.ingest(&[dest], &opts, &mut |_| {});
        a.close_writer();
        let summary = summary?;
        let cables = a.cable_count()?;
        let mut e = AuditEntry::for_viewer(&v.access_viewer(), "ingest", &what);
        e.results = summary.cables_written;
        st.auditor().record_read(&e).map_err(|e| {
            cablescope_access::Error::Other(format!("cannot write the audit log: {e}"))
        })?;
        Ok::<_, cablescope_access::Error>((summary, cables))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| match e {
        // Another process holds the index writer.
        cablescope_access::Error::Tantivy(t) if t.to_string().to_lowercase().contains("lock") => {
            ApiError::new(
                StatusCode::CONFLICT,
                "busy",
                "another process is writing the archive (a `cablescope ingest`?); retry when it is done",
            )
        }
        other => ApiError::from(other),
    })?;
    state.metrics().set_cables(cables);
    Ok(Json(IngestResponse {
        name,
        bytes,
        files_seen: summary.files_seen,
        files_parsed: summary.files_parsed,
        files_unchanged: summary.files_unchanged,
        files_failed: summary.files_failed,
        cables_read: summary.cables_read,
        cables_written: summary.cables_written,
        cables_removed: summary.cables_removed,
        item_errors: summary.item_errors,
        per_format: summary.per_format,
        errors: summary.errors,
    }))
}

/// True when a body error is the body limit's (`http_body_util::LengthLimitError`,
/// known here by its message: the type is behind axum's error).
fn over_limit(e: &axum::Error) -> bool {
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = cur {
        if err.to_string().contains("length limit exceeded") {
            return true;
        }
        cur = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_names_are_plain_file_names() {
        assert_eq!(upload_name(Some(" cables.zip ")).unwrap(), "cables.zip");
        assert_eq!(
            upload_name(Some("08MOSCOW1599.txt")).unwrap(),
            "08MOSCOW1599.txt"
        );
        for bad in [
            None,
            Some(""),
            Some("../etc/passwd"),
            Some("a/b.txt"),
            Some(".hidden"),
            Some(".."),
            Some("a b.txt"),
            Some("a\\b"),
        ] {
            assert!(upload_name(bad).is_err(), "{bad:?}");
        }
        assert!(upload_name(Some(&"x".repeat(MAX_NAME + 1))).is_err());
    }
}

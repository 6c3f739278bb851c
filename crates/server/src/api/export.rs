//! `GET /api/export`: every cable a query matches, streamed as it is read (no cap
//! on the number of records, bounded memory).
//!
//! A blocking task holds one read handle for the whole export (so every page is
//! read from the same commit), pages through the matches with the cursor search,
//! and sends chunks of about 64 KiB through a bounded channel to the response
//! body: a slow client slows the export down instead of filling memory, and a
//! client that goes away stops it. The head of the response waits for the first
//! step (opening the handle and counting the matches), so errors before any
//! record is written still get a proper status; an error later aborts the body,
//! which the client sees as a truncated transfer rather than a silently short
//! file.

use std::io::{self, Write};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cablescope_archive::{SearchOptions, Sort};
use cablescope_format::Cable;
use serde::Deserialize;
use tokio::sync::{mpsc, oneshot};
use utoipa::IntoParams;

use super::types::ErrorBody;
use super::{query_param, sort_param, ApiQuery};
use crate::error::{ApiError, ApiResult};
use crate::{AppState, Viewer};

/// Bytes per chunk sent to the client.
const CHUNK: usize = 64 * 1024;

/// Chunks buffered between the reader and the client.
const CHANNEL_CHUNKS: usize = 4;

/// The header carrying how many cables matched when the export started.
pub const TOTAL_HEADER: &str = "x-total-count";

/// Parameters of `/api/export`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// The query; `*` or empty: every cable.
    pub q: Option<String>,
    /// `jsonl` (default: one full record per line) or `csv` (id, created,
    /// classification, origin, tags, subject).
    pub format: Option<String>,
    /// `date` (default, oldest first), `-date` or `relevance`.
    pub sort: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Jsonl,
    Csv,
}

/// Why an export stopped early.
#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error(transparent)]
    Archive(#[from] cablescope_archive::Error),
    #[error("writing: {0}")]
    Io(#[from] io::Error),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

impl ExportError {
    /// True when the client went away (nothing to report).
    fn client_gone(&self) -> bool {
        let io = match self {
            ExportError::Io(e) => Some(e.kind()),
            ExportError::Csv(e) => match e.kind() {
                csv::ErrorKind::Io(e) => Some(e.kind()),
                _ => None,
            },
            ExportError::Json(e) => e.io_error_kind(),
            ExportError::Archive(_) => None,
        };
        io == Some(io::ErrorKind::BrokenPipe)
    }
}

type Chunk = Result<Vec<u8>, io::Error>;

/// Most withheld items written in an export's audit entry (an export can
/// withhold from thousands of cables); the rest are counted.
const MAX_WITHHELD_KEPT: usize = 1000;

/// What an export showed and withheld, for its audit entry.
#[derive(Debug, Default)]
struct Withheld {
    shown: u64,
    items: Vec<String>,
    more: u64,
}

impl Withheld {
    fn add(&mut self, c: &Cable) {
        self.shown += 1;
        for w in cablescope_archive::access::withheld_list(c) {
            if self.items.len() < MAX_WITHHELD_KEPT {
                self.items.push(w);
            } else {
                self.more += 1;
            }
        }
    }

    /// The list for the audit entry: the items kept, then how many more.
    fn into_list(mut self) -> Vec<String> {
        if self.more > 0 {
            self.items.push(format!("... and {} more", self.more));
        }
        self.items
    }
}

/// Buffers writes and sends them to the response body in chunks.
struct ChunkWriter {
    buf: Vec<u8>,
    tx: mpsc::Sender<Chunk>,
}

impl ChunkWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK + 4096));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }

    /// Ends the body with an error, so the client sees the transfer fail.
    fn fail(&mut self, e: &ExportError) {
        let _ = self.tx.blocking_send(Err(io::Error::other(e.to_string())));
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

fn csv_row(w: &mut csv::Writer<&mut ChunkWriter>, c: &Cable) -> Result<(), ExportError> {
    w.write_record([
        c.id.as_deref().unwrap_or(""),
        c.created.as_deref().unwrap_or(""),
        c.classification.as_deref().unwrap_or(""),
        c.origin.station.as_deref().unwrap_or(""),
        &c.tags.join(" "),
        c.subject.as_deref().unwrap_or(""),
    ])?;
    Ok(())
}

/// Every cable a query matches, streamed: JSON lines of full records (what the
/// reader may read of them), or CSV rows.
#[utoipa::path(
    get,
    path = "/api/export",
    tag = "search",
    params(ExportParams),
    responses(
        (status = 200, description = "Every match, streamed; `X-Total-Count` is the number of matches when the export started",
            content(
                (String = "application/x-ndjson"),
                (String = "text/csv"),
            ),
            headers(("x-total-count" = u64, description = "Matches"))),
        (status = 400, description = "Malformed or too long query, bad format or sort", body = ErrorBody),
        (status = 503, description = "Too many exports running; retry later", body = ErrorBody),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> ApiResult<Response> {
    let (text, parsed) = query_param(p.q.as_deref(), &state)?;
    let sort = sort_param(p.sort.as_deref(), Sort::Date)?;
    let format = match p.format.as_deref().map(str::trim) {
        None | Some("") | Some("jsonl") => Format::Jsonl,
        Some("csv") => Format::Csv,
        Some(other) => {
            return Err(ApiError::bad_parameter(format!(
                "format must be jsonl or csv, not {other:?}"
            )))
        }
    };
    let permit = state.try_export_permit().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "too many exports are running; retry in a moment",
        )
    })?;
    let (head_tx, head_rx) = oneshot::channel::<Result<u64, ApiError>>();
    let (tx, mut rx) = mpsc::channel::<Chunk>(CHANNEL_CHUNKS);
    let st = state.clone();
    tokio::task::spawn_blocking(move || {
        let permit = permit;
        let started = st.checkout().and_then(|h| {
            let access = viewer.access(&h)?;
            let count = h.search_query(
                &parsed,
                &SearchOptions {
                    limit: 0,
                    ..access.search_options()
                },
            )?;
            // The entry is written when the stream ends (it names what was
            // withheld); a log that cannot even be opened stops the export first.
            st.auth().log_ready_blocking().map_err(|e| {
                cablescope_archive::Error::Other(format!("cannot open the audit log: {e}"))
            })?;
            Ok((h, access, count.total))
        });
        let (h, access, total) = match started {
            Ok(s) => s,
            Err(e) => {
                let _ = head_tx.send(Err(e.into()));
                return;
            }
        };
        if head_tx.send(Ok(total)).is_err() {
            return;
        }
        let mut out = ChunkWriter {
            buf: Vec::with_capacity(CHUNK + 4096),
            tx,
        };
        let mut withheld = Withheld::default();
        let result: Result<u64, ExportError> = match format {
            Format::Jsonl => h.export_for(&parsed, sort, &access, &mut |c: Cable| {
                withheld.add(&c);
                serde_json::to_writer(&mut out, &c)?;
                out.write_all(b"\n")?;
                Ok::<(), ExportError>(())
            }),
            Format::Csv => {
                let mut w = csv::Writer::from_writer(&mut out);
                let r = w
                    .write_record([
                        "id",
                        "created",
                        "classification",
                        "origin",
                        "tags",
                        "subject",
                    ])
                    .map_err(ExportError::from)
                    .and_then(|()| {
                        h.export_for(&parsed, sort, &access, &mut |c: Cable| {
                            withheld.add(&c);
                            csv_row(&mut w, &c)
                        })
                    });
                r.and_then(|n| {
                    w.flush()?;
                    Ok(n)
                })
            }
        };
        let result = result.and_then(|n| {
            out.flush()?;
            Ok(n)
        });
        // Free the permit before the body ends (when `out`, holding the sender, is
        // dropped): a client that has read a whole export may start the next.
        drop(permit);
        // Recorded however the stream ended (a client gone included): what was
        // sent was read.
        if let Err(e) = crate::auth::audit_blocking(
            &st,
            &viewer,
            "export",
            &text,
            withheld.shown,
            withheld.into_list(),
        ) {
            eprintln!("cablescope-server: export of {text:?} not recorded: {e}");
        }
        match result {
            Ok(_) => {}
            Err(e) if e.client_gone() => {}
            Err(e) => {
                eprintln!("cablescope-server: export stopped: {e}");
                out.fail(&e);
            }
        }
    });
    let total = head_rx
        .await
        .map_err(|_| ApiError::internal("the export task stopped before starting"))??;
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let (ctype, name) = match format {
        Format::Jsonl => ("application/x-ndjson", "cablescope-export.jsonl"),
        Format::Csv => ("text/csv; charset=utf-8", "cablescope-export.csv"),
    };
    let mut r = Body::from_stream(stream).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        HeaderName::from_static(TOTAL_HEADER),
        HeaderValue::from(total),
    );
    Ok(r)
}

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
use cablescope_access::{graph_format, Sort};
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
    /// `jsonl` (default: one full record per line), `csv` (one row per cable:
    /// id, published id, created, classification, origin, tags, subject, cited
    /// ids and the marked text, cells safe in spreadsheets), or the citation graph
    /// of the matches: `graphml` (yEd, Gephi, networkx) or `gexf` (Gephi), with
    /// the cables the matches cite (present, or missing for this reader).
    pub format: Option<String>,
    /// `date` (default, oldest first), `-date` or `relevance`.
    pub sort: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Jsonl,
    Csv,
    Graphml,
    Gexf,
}

/// Why an export stopped early.
#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error(transparent)]
    Archive(#[from] cablescope_access::Error),
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
    w.write_record(cablescope_access::table_row::row(c))?;
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
                (String = "application/graphml+xml"),
                (String = "application/gexf+xml"),
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
        Some("graphml") => Format::Graphml,
        Some("gexf") => Format::Gexf,
        Some(other) => {
            return Err(ApiError::bad_parameter(format!(
                "format must be jsonl, csv, graphml or gexf, not {other:?}"
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
        let mut head_tx = Some(head_tx);
        let handle = match st.checkout() {
            Ok(h) => h,
            Err(e) => {
                if let Some(t) = head_tx.take() {
                    let _ = t.send(Err(e.into()));
                }
                return;
            }
        };
        let session = match st.session(&handle, &viewer) {
            Ok(s) => s,
            Err(e) => {
                if let Some(t) = head_tx.take() {
                    let _ = t.send(Err(e.into()));
                }
                return;
            }
        };
        let mut out = ChunkWriter {
            buf: Vec::with_capacity(CHUNK + 4096),
            tx,
        };
        // The head goes out once the matches are counted (and the audit log is
        // known to be writable): errors before then still get a proper status.
        let mut start = |total: u64| -> Result<(), ExportError> {
            match head_tx.take().map(|t| t.send(Ok(total))) {
                Some(Ok(())) => Ok(()),
                _ => Err(ExportError::Io(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "the client went away",
                ))),
            }
        };
        let result: Result<u64, ExportError> = match format {
            Format::Jsonl => session.export(&text, &parsed, sort, &mut start, &mut |c: Cable| {
                serde_json::to_writer(&mut out, &c)?;
                out.write_all(b"\n")?;
                Ok::<(), ExportError>(())
            }),
            Format::Csv => {
                let w = std::cell::RefCell::new(csv::Writer::from_writer(&mut out));
                let r = session.export(
                    &text,
                    &parsed,
                    sort,
                    &mut |total| {
                        start(total)?;
                        w.borrow_mut()
                            .write_record(cablescope_access::table_row::HEADER)?;
                        Ok(())
                    },
                    &mut |c: Cable| csv_row(&mut w.borrow_mut(), &c),
                );
                r.and_then(|n| {
                    w.borrow_mut().flush()?;
                    Ok(n)
                })
            }
            // A graph is built whole (the matches and what they cite, as the
            // CLI's `graph` builds it), then written out in chunks.
            Format::Graphml | Format::Gexf => session
                .graph(&text, &parsed)
                .map_err(ExportError::from)
                .and_then(|g| {
                    let matched = g.nodes.iter().filter(|n| n.matched).count() as u64;
                    start(matched)?;
                    if format == Format::Graphml {
                        graph_format::write_graphml(&mut out, &g.nodes, &g.edges)?;
                    } else {
                        graph_format::write_gexf(&mut out, &g.nodes, &g.edges)?;
                    }
                    Ok(matched)
                }),
        };
        let result = result.and_then(|n| {
            out.flush()?;
            Ok(n)
        });
        // Free the permit before the body ends (when `out`, holding the sender, is
        // dropped): a client that has read a whole export may start the next.
        drop(permit);
        match result {
            Ok(_) => {}
            Err(e) => {
                if let Some(t) = head_tx.take() {
                    // Stopped before anything was sent: the error is the answer.
                    let _ = t.send(Err(match e {
                        ExportError::Archive(a) => a.into(),
                        other => ApiError::internal(other),
                    }));
                } else if !e.client_gone() {
                    tracing::warn!(error = %e, "export stopped");
                    out.fail(&e);
                }
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
        Format::Graphml => ("application/graphml+xml", "cablescope-export.graphml"),
        Format::Gexf => ("application/gexf+xml", "cablescope-export.gexf"),
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

//! Request metrics in the Prometheus exposition format (OpenMetrics text), served
//! at `/metrics`:
//!
//! * `cablescope_http_requests_total{method, route, status}`: requests answered;
//! * `cablescope_http_request_duration_seconds{route}`: time to the response's
//!   head (a streamed export's body is not included);
//! * `cablescope_http_requests_in_flight`: requests being handled;
//! * `cablescope_archive_cables`: cables in the archive (counted at each scrape).
//!
//! `route` is the route template (`/api/cables/{id}`), never the raw path, so a
//! client cannot blow up the number of series; requests no route matched are
//! `unmatched`.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use tracing::Instrument;

use crate::logging::RequestIdentity;
use crate::AppState;

/// The content type of [`Metrics::render`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
    cables: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("cablescope");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Family<RouteLabels, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        let in_flight = Gauge::default();
        let cables = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to the response's head, by route template",
            latency.clone(),
        );
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being handled",
            in_flight.clone(),
        );
        registry.register("archive_cables", "Cables in the archive", cables.clone());
        Metrics {
            registry,
            requests,
            latency,
            in_flight,
            cables,
        }
    }

    /// Records the number of cables in the archive.
    pub fn set_cables(&self, n: u64) {
        self.cables.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// Records one answered request.
    pub fn observe(&self, method: &Method, route: &str, status: u16, seconds: f64) {
        let method = match *method {
            Method::GET
            | Method::HEAD
            | Method::POST
            | Method::PUT
            | Method::DELETE
            | Method::PATCH
            | Method::OPTIONS => method.as_str().to_string(),
            _ => "other".to_string(),
        };
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route: route.to_string(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// Every metric in the OpenMetrics text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The route template a request matched, passed from the inner middleware
/// ([`tag_route`]) to the outer one ([`track`]) in the response's extensions.
#[derive(Clone, Debug)]
struct RouteName(String);

/// Route middleware (applied with `Router::route_layer`, so it runs after
/// routing): notes the matched route template in the response.
pub async fn tag_route(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let mut resp = next.run(req).await;
    if let Some(r) = route {
        resp.extensions_mut().insert(RouteName(r));
    }
    resp
}

struct InFlight<'a>(&'a Gauge);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Outermost middleware: counts every request, with its route, status and time,
/// and logs it ([`crate::logging`]): method, route template, status, latency, user
/// and client; never the path, query, tokens or cookies.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let metrics = state.metrics();
    metrics.in_flight.inc();
    // Decrements even when the client goes away and the request is dropped.
    let guard = InFlight(&metrics.in_flight);
    let span = tracing::info_span!("request", method = %method);
    let resp = next.run(req).instrument(span.clone()).await;
    drop(guard);
    let route = resp
        .extensions()
        .get::<RouteName>()
        .map_or("unmatched", |r| r.0.as_str());
    let elapsed = start.elapsed();
    metrics.observe(
        &method,
        route,
        resp.status().as_u16(),
        elapsed.as_secs_f64(),
    );
    let identity = resp.extensions().get::<RequestIdentity>();
    span.in_scope(|| {
        tracing::info!(
            route,
            status = resp.status().as_u16(),
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            user = identity.and_then(|i| i.user.as_deref()).unwrap_or("-"),
            client = identity.map_or("-", |i| i.client.as_str()),
            "answered"
        );
    });
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges() {
        let m = Metrics::new();
        m.set_cables(42);
        m.observe(&Method::GET, "/api/search", 200, 0.003);
        m.observe(&Method::GET, "/api/search", 200, 0.004);
        m.observe(&Method::GET, "/api/search", 400, 0.001);
        let text = m.render();
        assert!(
            text.contains(
                r#"cablescope_http_requests_total{method="GET",route="/api/search",status="200"} 2"#
            ),
            "{text}"
        );
        assert!(text.contains(r#"status="400"} 1"#), "{text}");
        assert!(
            text.contains(
                r#"cablescope_http_request_duration_seconds_count{route="/api/search"} 3"#
            ),
            "{text}"
        );
        assert!(text.contains("cablescope_archive_cables 42"), "{text}");
        assert!(text.trim_end().ends_with("# EOF"), "{text}");
    }
}

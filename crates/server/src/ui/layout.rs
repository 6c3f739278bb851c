//! The frame every page shares: head (stylesheet, icon, scripts as external files
//! only), a skip link, the header with the navigation and the viewer, the main
//! landmark and the footer.
//!
//! Pages never carry inline scripts, `style` attributes or event-handler attributes,
//! so they work under `Content-Security-Policy: default-src 'self'`.

use maud::{html, Markup, DOCTYPE};

use crate::ui::assets;
use crate::viewer::{Standing, Viewer};

/// Which navigation entry a page belongs to (marked `aria-current`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// The search page and its results.
    Search,
    /// The archive overview.
    Overview,
    /// A cable, its graph, an error page: no entry is current.
    None,
}

/// What a page puts into the frame.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    /// The page title (the site name is appended).
    pub title: &'a str,
    /// The current navigation entry.
    pub nav: Nav,
    /// Who is looking.
    pub viewer: &'a Viewer,
    /// Extra embedded scripts for this page (`graph.js`), loaded deferred.
    pub scripts: &'a [&'static str],
    /// Show the small search box in the header (pages other than search).
    pub header_search: bool,
}

impl<'a> Page<'a> {
    /// A page with the defaults: no current entry, no extra scripts, header search.
    pub fn new(title: &'a str, viewer: &'a Viewer) -> Self {
        Page {
            title,
            nav: Nav::None,
            viewer,
            scripts: &[],
            header_search: true,
        }
    }
}

/// The viewer's clearance in words: "everything", "C", "S with NOFORN".
pub fn clearance_words(viewer: &Viewer) -> String {
    let cl = &viewer.clearance;
    if cl.is_all() {
        return "everything".to_string();
    }
    let level = cl.level().code();
    let caveats: Vec<&str> = cl.controls.iter().map(|c| c.name()).collect();
    if caveats.is_empty() {
        level.to_string()
    } else {
        format!("{level} with {}", caveats.join(", "))
    }
}

/// The clearance as one short word for the badge: `C`, `S+NOFORN`, `all`.
fn clearance_short(viewer: &Viewer) -> String {
    if viewer.clearance.is_all() {
        "all".to_string()
    } else {
        cablescope_access::users::clearance_label(&viewer.clearance)
    }
}

/// Shows who is looking and what they may read: a signed-in user's name and
/// clearance ("reader-c · C") with a sign-out button (a POST form carrying the
/// session's CSRF token), "anonymous" on an open or public archive, "not signed
/// in" on the pages a closed archive shows to everyone; and a "Sign in" link
/// where signing in is possible. The clearance is spelled out in the tooltip and
/// for screen readers.
pub fn viewer_badge(viewer: &Viewer) -> Markup {
    let words = clearance_words(viewer);
    let clearance = match viewer.standing {
        Standing::SignedOut => "not signed in".to_string(),
        _ => format!("cleared for {words}"),
    };
    html! {
        div.viewer #viewer title=(clearance) {
            span.viewer-icon aria-hidden="true" { "●" }
            " "
            @if let Some(name) = &viewer.user {
                span.viewer-name { (name) }
                span.viewer-clearance { " · " (clearance_short(viewer)) }
            } @else if viewer.standing == Standing::SignedOut {
                span.viewer-name { "not signed in" }
            } @else {
                span.viewer-name { "anonymous" }
            }
            span.visually-hidden { ", " (clearance) }
            @match viewer.standing {
                Standing::Session => {
                    form.viewer-signout method="post" action="/logout" {
                        input type="hidden" name="csrf" value=(viewer.csrf.as_deref().unwrap_or(""));
                        button.link-button type="submit" { "Sign out" }
                    }
                }
                Standing::Open | Standing::SignedOut => {
                    " "
                    a.viewer-signin href="/login" { "Sign in" }
                }
                Standing::Public | Standing::Token => {}
            }
        }
    }
}

/// The whole HTML document around `body`.
pub fn page(p: &Page<'_>, body: Markup) -> Markup {
    let current = |n: Nav| if p.nav == n { Some("page") } else { None };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light";
                title { (p.title) " — cablescope" }
                link rel="stylesheet" href=(assets::url("style.css"));
                link rel="icon" type="image/svg+xml" href=(assets::url("icon.svg"));
                script src=(assets::url("app.js")) defer {}
                @for s in p.scripts {
                    script src=(assets::url(s)) defer {}
                }
            }
            body {
                a.skip-link href="#main" { "Skip to content" }
                header.site-header {
                    a.brand href="/" {
                        img src=(assets::url("icon.svg")) alt="" width="24" height="24";
                        span { "cablescope" }
                    }
                    nav.site-nav aria-label="Main" {
                        ul {
                            li { a href="/" aria-current=[current(Nav::Search)] { "Search" } }
                            li { a href="/overview" aria-current=[current(Nav::Overview)] { "Overview" } }
                            li { a href="/api/docs" { "API docs" } }
                        }
                    }
                    @if p.header_search {
                        form.header-search role="search" method="get" action="/search" {
                            label.visually-hidden for="header-q" { "Search cables" }
                            input #header-q type="search" name="q" placeholder="Search cables";
                            button type="submit" { "Search" }
                        }
                    }
                    (viewer_badge(p.viewer))
                }
                main #main tabindex="-1" { (body) }
                footer.site-footer {
                    p {
                        "cablescope — a searchable archive of diplomatic cables. "
                        a href="/api/docs" { "JSON API" }
                        " · "
                        a href="/overview" { "Archive overview" }
                    }
                }
            }
        }
    }
}

/// A page with a heading and a message, for errors (not found, bad request, failure).
pub fn message_page(p: &Page<'_>, heading: &str, message: Markup) -> Markup {
    page(
        p,
        html! {
            div.message-page {
                h1 { (heading) }
                (message)
                p { a href="/" { "Go to the search page" } }
            }
        },
    )
}

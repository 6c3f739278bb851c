//! Charts drawn on the server as inline SVG: vertical bars (a timeline, cables by
//! year) and horizontal bars (top origins, classifications). Colours come from CSS
//! classes, never `style` attributes; each bar carries a `<title>` (tooltip and
//! accessible name) and, when it has one, a link that refines the search.

use maud::{html, Markup};

use crate::ui::text::count;

/// One bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// The label under (or beside) the bar.
    pub label: String,
    /// Its value.
    pub value: u64,
    /// Where a click goes, if anywhere.
    pub href: Option<String>,
    /// The tooltip (also the accessible name of the link).
    pub title: String,
}

/// Width of the drawing in SVG units (it scales to its box).
const WIDTH: f64 = 800.0;

fn fmt(x: f64) -> String {
    format!("{x:.1}")
}

/// Vertical bars for a series in order (months, years). `labels` picks which bars get
/// a label under them (every bar when it returns true; a long series labels only
/// some). `caption` names the chart for screen readers.
pub fn columns(bars: &[Bar], caption: &str, labels: &dyn Fn(usize, &Bar) -> bool) -> Markup {
    const HEIGHT: f64 = 180.0;
    const LEFT: f64 = 44.0;
    const BOTTOM: f64 = 22.0;
    const TOP: f64 = 8.0;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let plot_w = WIDTH - LEFT - 4.0;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let step = plot_w / bars.len().max(1) as f64;
    let gap = if step > 6.0 { step * 0.18 } else { 0.0 };
    let y_of = |v: u64| TOP + plot_h - plot_h * v as f64 / max as f64;
    html! {
        svg.chart.chart-columns viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="group" aria-label=(caption) {
            title { (caption) }
            line.axis x1=(fmt(LEFT)) y1=(fmt(TOP + plot_h)) x2=(fmt(WIDTH - 4.0)) y2=(fmt(TOP + plot_h)) {}
            text.tick x=(fmt(LEFT - 6.0)) y=(fmt(TOP + 8.0)) text-anchor="end" { (count(max)) }
            text.tick x=(fmt(LEFT - 6.0)) y=(fmt(TOP + plot_h)) text-anchor="end" { "0" }
            line.grid x1=(fmt(LEFT)) y1=(fmt(TOP)) x2=(fmt(WIDTH - 4.0)) y2=(fmt(TOP)) {}
            @for (i, b) in bars.iter().enumerate() {
                @let x = LEFT + step * i as f64 + gap / 2.0;
                @let y = y_of(b.value);
                @let h = (TOP + plot_h - y).max(if b.value > 0 { 1.0 } else { 0.0 });
                @let rect = html! {
                    // A full-height transparent target makes thin bars easy to hit.
                    rect.hit-area x=(fmt(LEFT + step * i as f64)) y=(fmt(TOP)) width=(fmt(step)) height=(fmt(plot_h)) {}
                    rect.bar x=(fmt(x)) y=(fmt(TOP + plot_h - h)) width=(fmt((step - gap).max(0.5))) height=(fmt(h)) {}
                };
                @match &b.href {
                    Some(href) => a.bar-link href=(href) aria-label=(b.title) { title { (b.title) } (rect) },
                    None => g.bar-group { title { (b.title) } (rect) },
                }
                @if labels(i, b) {
                    text.tick x=(fmt(LEFT + step * i as f64 + step / 2.0)) y=(fmt(HEIGHT - 6.0)) text-anchor="middle" { (b.label) }
                }
            }
        }
    }
}

/// Horizontal bars, one row per item, largest first as given, drawn `width` units
/// wide (about the pixels of the box it goes in, so the text keeps its size).
pub fn rows(bars: &[Bar], caption: &str, width: f64) -> Markup {
    const ROW: f64 = 22.0;
    const VALUE: f64 = 60.0;
    // Room for the longest label (about 7 units a character at 12px), within reason.
    let longest = bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    let label_w = (longest as f64 * 7.8 + 12.0).clamp(60.0, width * 0.45);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let height = ROW * bars.len() as f64 + 4.0;
    let bar_w = (width - label_w - VALUE - 8.0).max(10.0);
    html! {
        svg.chart.chart-rows viewBox=(format!("0 0 {width} {height}")) role="group" aria-label=(caption) {
            title { (caption) }
            @for (i, b) in bars.iter().enumerate() {
                @let y = 2.0 + ROW * i as f64;
                @let w = (bar_w * b.value as f64 / max as f64).max(if b.value > 0 { 1.0 } else { 0.0 });
                @let row = html! {
                    rect.hit-area x="0" y=(fmt(y)) width=(fmt(width)) height=(fmt(ROW)) {}
                    text.row-label x=(fmt(label_w - 8.0)) y=(fmt(y + ROW * 0.7)) text-anchor="end" { (b.label) }
                    rect.bar x=(fmt(label_w)) y=(fmt(y + 3.0)) width=(fmt(w)) height=(fmt(ROW - 6.0)) {}
                    text.row-value x=(fmt(label_w + w + 6.0)) y=(fmt(y + ROW * 0.7)) { (count(b.value)) }
                };
                @match &b.href {
                    Some(href) => a.bar-link href=(href) aria-label=(b.title) { title { (b.title) } (row) },
                    None => g.bar-group { title { (b.title) } (row) },
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bars() -> Vec<Bar> {
        vec![
            Bar {
                label: "2008".into(),
                value: 3,
                href: Some("/search?q=created%3A2008".into()),
                title: "2008: 3 cables".into(),
            },
            Bar {
                label: "<2009>".into(),
                value: 0,
                href: None,
                title: "2009: 0 cables".into(),
            },
        ]
    }

    #[test]
    fn columns_draw_links_and_escape_labels() {
        let svg = columns(&bars(), "Cables by year", &|_, _| true).into_string();
        assert!(svg.contains("href=\"/search?q=created%3A2008\""));
        assert!(svg.contains("&lt;2009&gt;"));
        assert!(!svg.contains("style="));
        assert_eq!(svg.matches("class=\"bar\"").count(), 2);
    }

    #[test]
    fn rows_show_values() {
        let svg = rows(&bars(), "Top", 500.0).into_string();
        assert!(svg.contains(">3</text>"));
        assert!(svg.contains("<title>2008: 3 cables</title>"));
    }

    #[test]
    fn empty_series_draws_an_empty_chart() {
        let svg = columns(&[], "Nothing", &|_, _| true).into_string();
        assert!(svg.starts_with("<svg"));
    }
}

//! Citation graphs as files for graph tools: GraphML (yEd, Gephi, networkx) and
//! GEXF 1.3 (Gephi). Shared by `cablescope graph` and the HTTP API's
//! `/api/graph/{id}`, so both write the same attributes.

use std::io::{self, Write};

/// A node of an exported graph: a cable, present in the archive or only cited.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct GraphNode {
    /// Cable id.
    pub id: String,
    /// False when the cable is cited but not in the archive (or not visible to the
    /// reader).
    pub present: bool,
    /// True for the cables the graph was asked about (the query's matches, or the
    /// start of a walk); false for cables only reached through citations.
    pub matched: bool,
    /// Creation time, ISO 8601.
    pub created: Option<String>,
    /// Origin station.
    pub origin: Option<String>,
    /// Classification string.
    pub classification: Option<String>,
    /// Subject line.
    pub subject: Option<String>,
}

/// An edge: `from` cites `to`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct GraphEdge {
    /// The citing cable.
    pub from: String,
    /// The cited cable.
    pub to: String,
    /// The REF label (`A`, `B`), empty when there was none.
    pub label: String,
}

/// Escapes text for XML attribute values and content; control characters XML 1.0
/// forbids become spaces.
fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// Node attribute names, in key order.
const NODE_ATTRS: [&str; 6] = [
    "present",
    "matched",
    "created",
    "origin",
    "classification",
    "subject",
];

fn attrs(n: &GraphNode) -> [(usize, String); 6] {
    [
        (0, n.present.to_string()),
        (1, n.matched.to_string()),
        (2, n.created.clone().unwrap_or_default()),
        (3, n.origin.clone().unwrap_or_default()),
        (4, n.classification.clone().unwrap_or_default()),
        (5, n.subject.clone().unwrap_or_default()),
    ]
}

/// Writes a directed GraphML graph.
pub fn write_graphml(
    out: &mut dyn Write,
    nodes: &[GraphNode],
    edges: &[GraphEdge],
) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    for (i, a) in NODE_ATTRS.iter().enumerate() {
        let ty = if i < 2 { "boolean" } else { "string" };
        writeln!(
            out,
            r#"  <key id="d{i}" for="node" attr.name="{a}" attr.type="{ty}"/>"#
        )?;
    }
    writeln!(
        out,
        r#"  <key id="e0" for="edge" attr.name="label" attr.type="string"/>"#
    )?;
    writeln!(out, r#"  <graph id="citations" edgedefault="directed">"#)?;
    for n in nodes {
        writeln!(out, r#"    <node id="{}">"#, xml(&n.id))?;
        for (i, v) in attrs(n) {
            if !v.is_empty() {
                writeln!(out, r#"      <data key="d{i}">{}</data>"#, xml(&v))?;
            }
        }
        writeln!(out, "    </node>")?;
    }
    for (i, e) in edges.iter().enumerate() {
        writeln!(
            out,
            r#"    <edge id="e{i}" source="{}" target="{}"><data key="e0">{}</data></edge>"#,
            xml(&e.from),
            xml(&e.to),
            xml(&e.label)
        )?;
    }
    writeln!(out, "  </graph>\n</graphml>")
}

/// Writes a directed, static GEXF 1.3 graph.
pub fn write_gexf(out: &mut dyn Write, nodes: &[GraphNode], edges: &[GraphEdge]) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(out, r#"<gexf xmlns="http://gexf.net/1.3" version="1.3">"#)?;
    writeln!(out, r#"  <meta><creator>cablescope</creator></meta>"#)?;
    writeln!(out, r#"  <graph defaultedgetype="directed" mode="static">"#)?;
    writeln!(out, r#"    <attributes class="node">"#)?;
    for (i, a) in NODE_ATTRS.iter().enumerate() {
        let ty = if i < 2 { "boolean" } else { "string" };
        writeln!(
            out,
            r#"      <attribute id="{i}" title="{a}" type="{ty}"/>"#
        )?;
    }
    writeln!(out, "    </attributes>\n    <nodes>")?;
    for n in nodes {
        writeln!(
            out,
            r#"      <node id="{id}" label="{id}"><attvalues>"#,
            id = xml(&n.id)
        )?;
        for (i, v) in attrs(n) {
            if !v.is_empty() {
                writeln!(out, r#"        <attvalue for="{i}" value="{}"/>"#, xml(&v))?;
            }
        }
        writeln!(out, "      </attvalues></node>")?;
    }
    writeln!(out, "    </nodes>\n    <edges>")?;
    for (i, e) in edges.iter().enumerate() {
        writeln!(
            out,
            r#"      <edge id="{i}" source="{}" target="{}" label="{}"/>"#,
            xml(&e.from),
            xml(&e.to),
            xml(&e.label)
        )?;
    }
    writeln!(out, "    </edges>\n  </graph>\n</gexf>")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Vec<GraphNode>, Vec<GraphEdge>) {
        (
            vec![
                GraphNode {
                    id: "08MOSCOW1599".into(),
                    present: true,
                    matched: true,
                    subject: Some("TALKS <WITH> \"A & B\"".into()),
                    ..GraphNode::default()
                },
                GraphNode {
                    id: "08STATE1".into(),
                    ..GraphNode::default()
                },
            ],
            vec![GraphEdge {
                from: "08MOSCOW1599".into(),
                to: "08STATE1".into(),
                label: "A".into(),
            }],
        )
    }

    #[test]
    fn graphml_escapes_and_links() {
        let (n, e) = sample();
        let mut buf = Vec::new();
        write_graphml(&mut buf, &n, &e).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(s.contains(r#"<node id="08MOSCOW1599">"#));
        assert!(
            s.contains("TALKS &lt;WITH&gt; &quot;A &amp; B&quot;"),
            "{s}"
        );
        assert!(s.contains(r#"source="08MOSCOW1599" target="08STATE1""#));
        assert!(s.trim_end().ends_with("</graphml>"));
    }

    #[test]
    fn gexf_has_nodes_and_edges() {
        let (n, e) = sample();
        let mut buf = Vec::new();
        write_gexf(&mut buf, &n, &e).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(s.contains(r#"<node id="08STATE1" label="08STATE1">"#));
        assert!(s.contains(r#"<attvalue for="0" value="false"/>"#));
        assert!(s.contains(r#"label="A"/>"#));
    }
}

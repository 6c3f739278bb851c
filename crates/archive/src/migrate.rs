//! Moving a store between the embedded form and PostgreSQL (either way).
//!
//! What moves is the system of record: every merged record, every copy it was
//! merged from (with its source path and item), the inputs recorded (so that
//! ingesting the same files again into the new store changes nothing), and the
//! settings an operator made (the declassification policy). Reference edges,
//! aliases and near-copy bands are derived from those and rebuilt by the
//! destination as it writes them; an index is derived too and is built from the
//! destination (an embedded destination at once, a shared one by each node).
//!
//! The destination must be empty: a migration never merges two archives. It is
//! written in batches, each its own transaction, so a migration that stops half
//! way leaves a destination to drop and start again; the source is only read.
//! [`migrate`] ends by comparing the two stores id by id (the records' content and
//! their copies) and reports any difference as an error.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::store::{sha256_hex, Store, WriteBatch};

/// Cables written per transaction.
const BATCH: usize = 500;

/// Settings of the store that move with it (`meta` keys an operator sets).
const MOVED_SETTINGS: &[&str] = &[crate::declass::POLICY_KEY];

/// What [`migrate`] moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MigrateReport {
    /// Merged records.
    pub cables: u64,
    /// Copies (source records).
    pub copies: u64,
    /// Inputs recorded.
    pub inputs: u64,
    /// Settings moved (by key).
    pub settings: Vec<String>,
}

/// Copies the store `from` into the empty store `to`, then checks that they hold
/// the same records and copies. `progress` is called after each batch with the
/// cables written so far and the total.
pub fn migrate(
    from: &dyn Store,
    to: &mut dyn Store,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<MigrateReport> {
    if to.count()? > 0 || !to.inputs()?.is_empty() {
        return Err(Error::Other(
            "the destination already holds an archive; migrate into an empty one".into(),
        ));
    }
    let ids = from.ids()?;
    let total = ids.len() as u64;
    let mut report = MigrateReport::default();
    for chunk in ids.chunks(BATCH) {
        let mut batch = WriteBatch::default();
        for id in chunk {
            let cable = from
                .cable(id)?
                .ok_or_else(|| Error::Other(format!("{id} vanished from the source")))?;
            let copies = from.copies_of(id)?;
            report.copies += copies.len() as u64;
            batch.add_sources.extend(copies);
            batch.upsert.push(cable);
        }
        to.write(&batch)?;
        report.cables += chunk.len() as u64;
        progress(report.cables, total);
    }
    let inputs = from.inputs()?;
    report.inputs = inputs.len() as u64;
    to.write(&WriteBatch {
        inputs: inputs.into_values().collect(),
        ..WriteBatch::default()
    })?;
    for key in MOVED_SETTINGS {
        if let Some(v) = from.meta(key)? {
            to.set_meta(key, &v)?;
            report.settings.push(key.to_string());
        }
    }
    let (a, b) = (fingerprint(from)?, fingerprint(&*to)?);
    if a != b {
        let differ: Vec<&String> = a
            .iter()
            .filter(|(id, v)| b.get(*id) != Some(v))
            .map(|(id, _)| id)
            .chain(b.keys().filter(|id| !a.contains_key(*id)))
            .take(10)
            .collect();
        return Err(Error::Other(format!(
            "the stores differ after the migration ({} and {} cables; first differing: {differ:?})",
            a.len(),
            b.len()
        )));
    }
    Ok(report)
}

/// Per cable id: the hash of its merged record and of its copies (path, item,
/// record), as JSON.
fn fingerprint(s: &dyn Store) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for id in s.ids()? {
        let cable = s.cable(&id)?;
        let copies: Vec<(String, u64, String)> = s
            .copies_of(&id)?
            .into_iter()
            .map(|c| Ok((c.path, c.item, serde_json::to_string(&c.record)?)))
            .collect::<Result<_>>()?;
        let json = serde_json::to_string(&(cable, copies))?;
        out.insert(id, sha256_hex(json.as_bytes()));
    }
    Ok(out)
}

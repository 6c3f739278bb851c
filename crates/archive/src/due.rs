//! The cables due for release ([`Archive::declass_due`]) and where the
//! declassification policy is kept ([`Archive::declass_policy`]).

use std::ops::Bound;

use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermSetQuery};
use tantivy::Term;

use crate::archive::Archive;
use crate::declass::{date_secs, schedule, ser_date, Date, DeclassPolicy, ReleaseRule, POLICY_KEY};
use crate::error::{Error, Result};
use crate::gating::{ReaderView, Scope};
use crate::index::TantivyIndex;
use crate::store::Store;

impl<S: Store, I: crate::index::Index> Archive<S, I> {
    /// The archive's declassification policy (off, every exemption, when never set).
    pub fn declass_policy(&self) -> Result<DeclassPolicy> {
        match self.store.meta(POLICY_KEY)? {
            None => Ok(DeclassPolicy::default()),
            Some(json) => serde_json::from_str(&json).map_err(|e| {
                Error::Other(format!("damaged declassification policy in the store: {e}"))
            }),
        }
    }

    /// Stores the declassification policy. Takes effect for readers who load it
    /// afterwards; the index needs no change (the policy is applied at query time).
    pub fn set_declass_policy(&mut self, policy: &DeclassPolicy) -> Result<()> {
        let json = serde_json::to_string(policy)?;
        self.store.set_meta(POLICY_KEY, &json)
    }
}

/// A cable due for release ([`Archive::declass_due`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Due {
    /// Cable id.
    pub id: String,
    /// Creation time, ISO 8601.
    pub created: Option<String>,
    /// Classification string as published.
    pub classification: Option<String>,
    /// The cable's level until it releases (`U`, `SBU`, `C`, `S`, `TS`).
    pub level: String,
    /// The release date.
    #[serde(serialize_with = "ser_date")]
    pub release: Date,
    /// Which rule gave it.
    pub rule: ReleaseRule,
}

impl<S: Store> Archive<S, TantivyIndex> {
    /// The cables the reader `scope` may see whose release date (under the
    /// archive's exemption list) falls after `scope.as_of` and before `before`,
    /// soonest first. Listed whether or not the policy is on: it is what turning it
    /// on would release by then.
    pub fn declass_due(&self, before: Date, scope: &Scope) -> Result<Vec<Due>> {
        let access = scope;
        let f = self.index.fields();
        let view = ReaderView::new(f, scope);
        let bound = |d: Date| {
            Term::from_field_date_for_search(
                f.release,
                tantivy::DateTime::from_timestamp_secs(date_secs(d)),
            )
        };
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(RangeQuery::new(
                Bound::Excluded(bound(access.as_of)),
                Bound::Excluded(bound(before)),
            )),
        )];
        if !access.policy.exempt.is_empty() {
            clauses.push((
                Occur::MustNot,
                Box::new(TermSetQuery::new(
                    access
                        .policy
                        .exempt
                        .iter()
                        .map(|c| Term::from_field_text(f.decl_code, c)),
                )),
            ));
        }
        let q = view.restrict(Box::new(BooleanQuery::new(clauses)));
        let mut out = Vec::new();
        for id in self.ids_matching(q.as_ref())? {
            let Some(c) = self.store.cable(&id)? else {
                continue;
            };
            let Some(s) = schedule(&c) else { continue };
            out.push(Due {
                id,
                level: cablescope_format::marking::effective_marks(&c)
                    .overall
                    .rank_code()
                    .to_string(),
                created: c.created,
                classification: c.classification,
                release: s.date,
                rule: s.rule,
            });
        }
        out.sort_by(|a, b| a.release.cmp(&b.release).then_with(|| a.id.cmp(&b.id)));
        Ok(out)
    }
}

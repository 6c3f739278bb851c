//! The corpus plan: every cable's post, date-time and serial, in chronological
//! order, plus the indexes the citation graph needs. Cheap (a few bytes per
//! cable) and built before any text, so each cable's text can then be written
//! independently, in parallel, from its own seed.

use std::collections::HashSet;

use crate::rng::{pick_cumulative, Rng};
use crate::tables::{month_table, posts, year_share, CABLEGATE_SIZE};

/// Random stream for the plan (dates, posts).
const STREAM_PLAN: u64 = 1;

/// One planned cable.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    /// Index into [`tables::posts`].
    pub post: u16,
    /// Year of the DTG.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month.
    pub day: u8,
    /// Hour, UTC.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Station serial (MRN), restarting each January.
    pub serial: u32,
    /// Position of this cable in its post's list ([`Plan::by_post`]).
    pub pos_in_post: u32,
}

impl Slot {
    /// Day of year, 1-based.
    pub fn day_of_year(&self) -> u32 {
        day_of_year(self.year, u32::from(self.month), u32::from(self.day))
    }

    /// Canonical id (`09PARIS997`).
    pub fn id(&self) -> String {
        format!(
            "{:02}{}{}",
            self.year.rem_euclid(100),
            posts()[self.post as usize].code,
            self.serial
        )
    }
}

/// The plan of a whole corpus.
#[derive(Debug)]
pub struct Plan {
    /// Global seed.
    pub seed: u64,
    /// Cables in chronological order.
    pub slots: Vec<Slot>,
    /// For each post, the chronological indexes of its cables.
    pub by_post: Vec<Vec<u32>>,
    /// (post, year, serial) of every cable, to make references to cables outside
    /// the corpus miss it.
    pub ids: HashSet<(u16, i32, u32)>,
}

/// True for leap years.
pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in a month.
pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// 1-based day of year.
pub fn day_of_year(y: i32, m: u32, d: u32) -> u32 {
    (1..m).map(|mm| days_in_month(y, mm)).sum::<u32>() + d
}

/// Per-year cumulative weights of the posts active that year (indexed by year
/// offset from 1985).
fn post_tables() -> Vec<Vec<u64>> {
    (1985..=2010)
        .map(|y| {
            let mut acc = 0u64;
            posts()
                .iter()
                .map(|p| {
                    if p.first_year <= y && y <= p.last_year && p.code != "PARTO" {
                        acc += u64::from(p.weight);
                    }
                    acc
                })
                .collect()
        })
        .collect()
}

impl Plan {
    /// Plans `count` cables with `seed`.
    pub fn new(count: usize, seed: u64) -> Plan {
        let months = month_table();
        let mut month_cum = Vec::with_capacity(months.len());
        let mut acc = 0u64;
        for m in months {
            acc += u64::from(m.2);
            month_cum.push(acc);
        }
        let post_cum = post_tables();
        // Working hours weigh more (UTC, so spread over the world's posts).
        const HOURS: [u32; 24] = [
            3, 3, 3, 4, 5, 6, 8, 9, 10, 11, 11, 11, 11, 11, 10, 10, 9, 8, 7, 6, 5, 4, 4, 3,
        ];

        let mut raw: Vec<(u64, u16, u32)> = (0..count)
            .map(|i| {
                let mut r = Rng::new(seed, STREAM_PLAN, i as u64);
                let (y, m, _) = months[pick_cumulative(&mut r, &month_cum)];
                let d = r.range(1, days_in_month(y, m));
                let h = r.weighted(&HOURS) as u32;
                let min = r.range(0, 59);
                let post = pick_cumulative(&mut r, &post_cum[(y - 1985) as usize]) as u16;
                let key =
                    (((y as u64 * 16 + u64::from(m)) * 32 + u64::from(d)) * 32 + u64::from(h)) * 64
                        + u64::from(min);
                (key, post, i as u32)
            })
            .collect();
        raw.sort_unstable();

        let n_posts = posts().len();
        let mut by_post: Vec<Vec<u32>> = vec![Vec::new(); n_posts];
        let mut last: Vec<(i32, u32)> = vec![(0, 0); n_posts];
        let mut slots = Vec::with_capacity(count);
        let mut ids = HashSet::with_capacity(count);
        let mut active_weight: Vec<u64> = Vec::new();
        for t in &post_cum {
            active_weight.push(*t.last().unwrap_or(&1));
        }
        for (k, &(key, post, i)) in raw.iter().enumerate() {
            let minute = (key % 64) as u8;
            let hour = ((key / 64) % 32) as u8;
            let day = ((key / 64 / 32) % 32) as u8;
            let month = ((key / 64 / 32 / 32) % 16) as u8;
            let year = (key / 64 / 32 / 32 / 16) as i32;
            let p = &posts()[post as usize];
            // The post's yearly traffic: Cablegate holds a sample, about a
            // quarter of a post's telegrams and a few percent of the Department's.
            let expected = CABLEGATE_SIZE as f64 * year_share(year) * f64::from(p.weight)
                / active_weight[(year - 1985) as usize] as f64;
            let factor = if p.code == "STATE" { 45.0 } else { 4.0 };
            let volume = (expected * factor).max(60.0);
            let doy = day_of_year(year, u32::from(month), u32::from(day));
            let days = if is_leap(year) { 366.0 } else { 365.0 };
            let frac =
                (f64::from(doy - 1) + (f64::from(hour) * 60.0 + f64::from(minute)) / 1440.0) / days;
            let mut r = Rng::new(seed, STREAM_PLAN + 1, u64::from(i));
            let jitter = r.below((factor as u64).max(2)) as u32;
            let target = 1 + (frac * volume) as u32 + jitter;
            let (ly, ls) = last[post as usize];
            let serial = if ly == year {
                target.max(ls + 1)
            } else {
                target
            };
            last[post as usize] = (year, serial);
            let list = &mut by_post[post as usize];
            slots.push(Slot {
                post,
                year,
                month,
                day,
                hour,
                minute,
                serial,
                pos_in_post: list.len() as u32,
            });
            list.push(k as u32);
            ids.insert((post, year, serial));
        }
        Plan {
            seed,
            slots,
            by_post,
            ids,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_increase_within_post_year_and_ids_are_unique() {
        let plan = Plan::new(5000, 7);
        assert_eq!(plan.ids.len(), 5000);
        for list in &plan.by_post {
            for w in list.windows(2) {
                let (a, b) = (plan.slots[w[0] as usize], plan.slots[w[1] as usize]);
                if a.year == b.year {
                    assert!(a.serial < b.serial);
                }
            }
        }
        assert_eq!(day_of_year(2008, 6, 5), 157);
        assert_eq!(posts()[crate::tables::state_index()].code, "STATE");
    }
}

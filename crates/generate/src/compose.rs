//! Writing one cable: the envelope, the preamble, the portion-marked
//! paragraphs, section breaks, signature and damage, with the truth beside it.

use crate::plan::{days_in_month, Plan, Slot};
use crate::rng::{hash_str, Rng};
use crate::tables::*;
use crate::truth::{Damage, Truth, TruthOrigin, TruthParagraph, TruthRecipient};

/// Random stream for cable content.
const STREAM_TEXT: u64 = 11;

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// What a body line is, for containers that mark some lines up (viewer pages
/// link TAGS and anchor paragraphs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Ordinary text.
    Plain,
    /// The TAGS line.
    Tags,
    /// The first line of numbered paragraph `n`.
    Paragraph(u32),
}

/// One generated cable: its text parts and the truth.
#[derive(Debug, Clone)]
pub struct Cable {
    /// The envelope lines (empty when the damage removed the header).
    pub header: Vec<String>,
    /// The text lines, from the classification line to the signature.
    pub body: Vec<(LineKind, String)>,
    /// Origin label as the viewer and the dump show it (`Embassy Paris`).
    pub origin_label: String,
    /// The cable's references as the dump's references column lists them.
    pub dump_references: Vec<String>,
    /// The truth record.
    pub truth: Truth,
}

impl Cable {
    /// The envelope as text (lines joined by `\n`).
    pub fn header_text(&self) -> String {
        self.header.join("\n")
    }

    /// The body as plain text.
    pub fn body_text(&self) -> String {
        let mut s = String::new();
        for (i, (_, l)) in self.body.iter().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str(l);
        }
        s
    }

    /// The whole telegram: envelope, then text.
    pub fn telegram(&self) -> String {
        let mut s = self.header_text();
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(&self.body_text());
        s.push('\n');
        s
    }
}

/// Classification of a cable, Cablegate's six published values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    U,
    Fouo,
    C,
    CNf,
    S,
    SNf,
}

impl Class {
    fn published(self) -> &'static str {
        match self {
            Class::U => "UNCLASSIFIED",
            Class::Fouo => "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
            Class::C => "CONFIDENTIAL",
            Class::CNf => "CONFIDENTIAL//NOFORN",
            Class::S => "SECRET",
            Class::SNf => "SECRET//NOFORN",
        }
    }
    fn classified(self) -> bool {
        !matches!(self, Class::U | Class::Fouo)
    }
}

/// Precedence levels, lowest first.
const PRECEDENCES: [(&str, &str); 5] = [
    ("R", "ROUTINE"),
    ("P", "PRIORITY"),
    ("O", "IMMEDIATE"),
    ("O", "NIACT IMMEDIATE"),
    ("Z", "FLASH"),
];

/// Title-cases a word list (`BUENOS AIRES` → `Buenos Aires`).
fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The station as the classification line, section breaks and REF lines write it
/// (`BUENOS AIRES`, `USUN NEW YORK`, `STATE`).
pub fn written_station(post: &Post) -> String {
    if post.code == "STATE" {
        return "STATE".into();
    }
    let mut s = post.plad;
    for p in ["AMEMBASSY ", "AMCONSUL ", "USMISSION ", "USINT "] {
        if let Some(r) = s.strip_prefix(p) {
            s = r;
        }
    }
    s.to_string()
}

/// The viewer's origin label (`Embassy Paris`, `Consulate Hamburg`,
/// `Secretary of State`).
pub fn origin_label(post: &Post) -> String {
    if post.code == "STATE" {
        return "Secretary of State".into();
    }
    if let Some(c) = post.plad.strip_prefix("AMEMBASSY ") {
        return format!("Embassy {}", title_case(c));
    }
    if let Some(c) = post.plad.strip_prefix("AMCONSUL ") {
        return format!("Consulate {}", title_case(c));
    }
    let s = written_station(post);
    s.split(' ')
        .map(|w| {
            if w.starts_with("US") || w.len() <= 4 {
                w.to_string()
            } else {
                title_case(w)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An invented surname (`BARTON`), two-word now and then (`VAN DERLEY`).
fn surname(r: &mut Rng) -> String {
    let base = format!("{}{}", r.pick(SYLLABLES_A), r.pick(SYLLABLES_B));
    if r.chance(0.03) {
        format!("VAN {base}")
    } else {
        base
    }
}

/// The chief of mission of a post in a year: the same invented name for every
/// cable of that post-year.
fn chief(seed: u64, post: &Post, year: i32) -> (String, String) {
    let mut r = Rng::new(seed, hash_str(post.code), year as u64 / 3);
    let first = r.pick(FIRST_NAMES).to_string();
    (first, surname(&mut r))
}

/// Wraps words into lines of at most `width` characters, never starting a line
/// with a token that looks like a paragraph number (`21.`) or a portion mark.
fn wrap(words: &[&str], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for w in words {
        let risky = {
            let t = w.trim_end_matches(['.', ')', ',']);
            (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && w.len() > t.len())
                || w.starts_with('(')
                || w.starts_with('-')
        };
        if !cur.is_empty() && cur.len() + 1 + w.len() > width && !risky {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

struct Ctx {
    r: Rng,
    slot: Slot,
    host_name: &'static str,
    topic: usize,
    redactions: u32,
}

impl Ctx {
    fn person(&mut self) -> String {
        let first = self.r.pick(FIRST_NAMES);
        let last = title_case(&surname(&mut self.r));
        format!("{first} {last}")
    }

    fn date_phrase(&mut self) -> String {
        let m = u32::from(self.slot.month);
        let d = self.r.range(1, u32::from(self.slot.day).max(1));
        format!("{} {}", MONTH_NAMES[(m - 1) as usize], d)
    }

    fn sentence(&mut self) -> String {
        let topic = SUBJECT_TAGS[self.topic].1;
        let country = if self.host_name.is_empty() {
            "host government".to_string()
        } else {
            title_case(self.host_name)
        };
        match self.r.below(10) {
            0 => {
                let role = self.r.pick(ROLES);
                let who = self.person();
                let inst = self.r.pick(INSTITUTIONS);
                let said = self.r.pick(SAID);
                let us = self.r.pick(US_SIDE);
                let date = self.date_phrase();
                let act = self.r.pick(ACTIONS);
                let obj = self.r.pick(OBJECTS);
                format!("{role} {who} of the {inst} {said} {us} on {date} that the government would {act} {obj}.")
            }
            1 => {
                let who = self.person();
                let inst = self.r.pick(INSTITUTIONS);
                let adj = self.r.pick(ADJECTIVES);
                format!("According to {who}, the {inst} remains {adj} about {topic}.")
            }
            2 => {
                let who = self.person();
                let obj = self.r.pick(OBJECTS);
                let inst = self.r.pick(INSTITUTIONS);
                format!("{who} noted that {obj} had stalled because the {inst} could not agree on its cost.")
            }
            3 => {
                let inst = self.r.pick(INSTITUTIONS);
                let act = self.r.pick(ACTIONS);
                let obj = self.r.pick(OBJECTS);
                let m = self.r.pick(&MONTH_NAMES);
                format!("The {inst} has yet to {act} {obj}, and our contacts expect little change before {m}.")
            }
            4 => {
                self.redactions += 1;
                let obj = self.r.pick(OBJECTS);
                let inst = self.r.pick(INSTITUTIONS);
                format!("In a separate meeting, XXXXXXXXXXXX said that {obj} would face \"serious opposition\" in the {inst}.")
            }
            5 => {
                let act = self.r.pick(ACTIONS);
                let obj = self.r.pick(OBJECTS);
                format!("We will continue to {act} {obj} with our {country} counterparts.")
            }
            6 => {
                let act = self.r.pick(ACTIONS);
                let obj = self.r.pick(OBJECTS);
                format!("Post recommends that Washington {act} {obj} at the next round of talks.")
            }
            7 => {
                let adj = self.r.pick(ADJECTIVES);
                let inst = self.r.pick(INSTITUTIONS);
                format!("Local press reports suggest that {topic} has become a {adj} issue for the {inst}.")
            }
            8 => {
                let who = self.person();
                let role = self.r.pick(ROLES).to_lowercase();
                format!(
                    "{who}, the {role}, described the mood in the capital as tense but manageable."
                )
            }
            _ => {
                let obj = self.r.pick(OBJECTS);
                let adj = self.r.pick(ADJECTIVES);
                format!("Officials here appear {adj} that {obj} will move forward this year.")
            }
        }
    }

    fn sentences(&mut self, n: u32) -> String {
        (0..n)
            .map(|_| {
                let s = self.sentence();
                let mut c = s.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                    None => s,
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Portion marks allowed under a classification: (written, normalised, weight).
fn marks_for(class: Class) -> &'static [(&'static str, &'static str, u32)] {
    match class {
        Class::U => &[("U", "U", 1)],
        Class::Fouo => &[("SBU", "SBU", 75), ("U", "U", 25)],
        Class::C => &[("C", "C", 80), ("U", "U", 15), ("SBU", "SBU", 5)],
        Class::CNf => &[("C/NF", "C/NF", 50), ("C", "C", 40), ("U", "U", 10)],
        Class::S => &[("S", "S", 60), ("C", "C", 30), ("U", "U", 10)],
        Class::SNf => &[
            ("S/NF", "S/NF", 45),
            ("S//NF", "S/NF", 10),
            ("S", "S", 25),
            ("C", "C", 15),
            ("U", "U", 5),
        ],
    }
}

/// Output container, for the few details that differ by container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// Raw telegram file.
    Telegram,
    /// Row of `cables.csv`.
    Csv,
    /// Viewer page.
    Html,
}

fn recipient_line(rec: &TruthRecipient, first_of_block: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(kw) = first_of_block {
        s.push_str(kw);
        s.push(' ');
    }
    if let Some(ri) = &rec.routing_indicator {
        s.push_str(ri);
        s.push('/');
    }
    s.push_str(&rec.name);
    if let Some(p) = &rec.precedence {
        s.push(' ');
        s.push_str(p);
    }
    if let Some(n) = &rec.serial {
        s.push(' ');
        s.push_str(n);
    }
    s
}

/// Writes cable `k` of the plan.
pub fn compose(plan: &Plan, k: usize, container: Container) -> Cable {
    let slot = plan.slots[k];
    let all = posts();
    let post = &all[slot.post as usize];
    let is_state = post.code == "STATE";
    let mut r = Rng::new(plan.seed, STREAM_TEXT, k as u64);
    let year = slot.year;
    let yy = year.rem_euclid(100);
    let id = slot.id();

    // ---- host country and topic
    let host: &'static str = if post.country.len() == 2 && post.country != "XX" {
        post.country
    } else {
        WORLD_TAGS[r.below(WORLD_TAGS.len() as u64) as usize]
    };
    let host_name = country_name(host);
    let group = r.pick(TAG_GROUPS);
    let topic = *r.pick(group);

    // ---- classification
    let class = match r.weighted(&[302, 231, 386, 19, 45, 17]) {
        0 => Class::U,
        1 if year >= 1996 => Class::Fouo,
        1 => Class::U,
        2 => Class::C,
        3 => Class::CNf,
        4 => Class::S,
        _ => Class::SNf,
    };

    // ---- precedence
    let act = r.weighted(&[44, 41, 13, 1, 1]);
    let info = if act >= 1 && r.chance(0.5) {
        act.min(1)
    } else {
        0
    };
    let info = if r.chance(0.15) { act } else { info };
    let prec = PRECEDENCES[act].1;
    let word = |i: usize| -> Option<String> { (i > 0).then(|| PRECEDENCES[i].1.to_string()) };

    // ---- recipients
    let doy = slot.day_of_year();
    let mcn = |from: &str, to: &str, r: &mut Rng| -> Option<String> {
        if r.chance(0.02) {
            return Some("0000".into());
        }
        let h = hash_str(&format!("{from}>{to}"));
        let rate = 1 + (h >> 40) % 12;
        let v = (h % 9000 + rate * u64::from(doy) + (year as u64 % 7) * 311) % 10000;
        Some(format!("{v:04}"))
    };
    let mut recipients: Vec<TruthRecipient> = Vec::new();
    let mut info_recipients: Vec<TruthRecipient> = Vec::new();
    let mut used: Vec<&str> = vec![post.ri];
    let other_post = |r: &mut Rng, used: &mut Vec<&'static str>| -> Option<&'static Post> {
        for _ in 0..8 {
            let p = &all[r.below(all.len() as u64) as usize];
            if p.code != "PARTO" && !used.contains(&p.ri) {
                used.push(p.ri);
                return Some(p);
            }
        }
        None
    };
    if is_state {
        let n = r.geometric(1.8, 6);
        for _ in 0..n {
            if let Some(p) = other_post(&mut r, &mut used) {
                recipients.push(TruthRecipient {
                    routing_indicator: Some(p.ri.into()),
                    name: p.plad.into(),
                    precedence: word(act),
                    serial: mcn(post.code, p.code, &mut r),
                });
            }
        }
    } else {
        let state = &all[state_index()];
        used.push(state.ri);
        recipients.push(TruthRecipient {
            routing_indicator: Some(state.ri.into()),
            name: state.plad.into(),
            precedence: word(act),
            serial: mcn(post.code, "STATE", &mut r),
        });
        if r.chance(0.1) {
            if let Some(p) = other_post(&mut r, &mut used) {
                recipients.push(TruthRecipient {
                    routing_indicator: Some(p.ri.into()),
                    name: p.plad.into(),
                    precedence: word(act),
                    serial: mcn(post.code, p.code, &mut r),
                });
            }
        }
    }
    let n_info = if r.chance(0.25) {
        0
    } else {
        r.geometric(3.0, 12)
    };
    for _ in 0..n_info {
        let roll = r.below(10);
        let rec = if roll < 6 {
            other_post(&mut r, &mut used).map(|p| TruthRecipient {
                routing_indicator: Some(p.ri.into()),
                name: p.plad.into(),
                precedence: word(info),
                serial: mcn(post.code, p.code, &mut r),
            })
        } else if roll < 8 {
            let (ri, name) = *r.pick(COLLECTIVES);
            (!used.contains(&ri)).then(|| {
                used.push(ri);
                TruthRecipient {
                    routing_indicator: Some(ri.into()),
                    name: name.into(),
                    precedence: word(info),
                    serial: None,
                }
            })
        } else {
            let (ri, name) = *r.pick(AGENCIES);
            (!used.contains(&ri)).then(|| {
                used.push(ri);
                TruthRecipient {
                    routing_indicator: Some(ri.into()),
                    name: name.into(),
                    precedence: word(info),
                    serial: None,
                }
            })
        };
        info_recipients.extend(rec);
    }

    // ---- envelope
    let minute_of_day = u32::from(slot.hour) * 60 + u32::from(slot.minute);
    let delay = if r.chance(0.9) { 0 } else { r.range(1, 60) };
    let de_min = if minute_of_day + delay < 1440 {
        minute_of_day + delay
    } else {
        minute_of_day
    };
    let sections_hint_single_slash = r.chance(0.2);
    let (fl2_letter, _) = PRECEDENCES[act];
    let mut header: Vec<String> = Vec::new();
    let placeholder = r.chance(0.3);
    header.push(format!(
        "VZCZC{}{:04}",
        if placeholder { "XYZ" } else { "XRO" },
        r.below(10000)
    ));
    // FL2: digraph of the highest precedence and the relay stations' RIs.
    let mut fl2 = format!("{fl2_letter}{fl2_letter}");
    if placeholder {
        fl2.push_str(" RUEHWEB");
    } else {
        let relays: Vec<&str> = info_recipients
            .iter()
            .filter_map(|x| x.routing_indicator.as_deref())
            .filter(|ri| ri.starts_with("RUEH"))
            .take(8)
            .collect();
        if relays.is_empty() {
            fl2.push_str(" RUEHC");
        }
        for ri in relays {
            fl2.push(' ');
            fl2.push_str(ri);
        }
    }
    header.push(fl2);
    let de_index = header.len();
    header.push(String::new()); // DE line, once the section count is known
    header.push(
        match class {
            Class::U | Class::Fouo => "ZNR UUUUU ZZH",
            Class::C | Class::CNf => "ZNY CCCCC ZZH",
            _ => "ZNY SSSSS ZZH",
        }
        .into(),
    );
    let prosigns = if info != act {
        format!("{} {}", PRECEDENCES[act].0, PRECEDENCES[info].0)
    } else {
        PRECEDENCES[act].0.to_string()
    };
    header.push(format!(
        "{prosigns} {:02}{:02}{:02}Z {} {:02}",
        slot.day,
        slot.hour,
        slot.minute,
        MONTHS[(slot.month - 1) as usize],
        yy
    ));
    header.push(format!("FM {}", post.plad));
    for (i, rec) in recipients.iter().enumerate() {
        header.push(recipient_line(rec, (i == 0).then_some("TO")));
    }
    for (i, rec) in info_recipients.iter().enumerate() {
        header.push(recipient_line(rec, (i == 0).then_some("INFO")));
    }

    // ---- preamble
    let mut ctx = Ctx {
        r,
        slot,
        host_name,
        topic,
        redactions: 0,
    };
    let station_w = written_station(post);
    let mut body: Vec<(LineKind, String)> = Vec::new();
    let blank = |b: &mut Vec<(LineKind, String)>| b.push((LineKind::Plain, " ".to_string()));
    let spaced = ctx.r.chance(0.85);
    let level_word = match class {
        Class::U | Class::Fouo => "UNCLAS",
        Class::C | Class::CNf if spaced => "C O N F I D E N T I A L",
        Class::C | Class::CNf => "CONFIDENTIAL",
        _ if spaced => "S E C R E T",
        _ => "SECRET",
    };
    let class_line_index = body.len();
    body.push((LineKind::Plain, String::new())); // set once sections are known
    blank(&mut body);

    let mut captions: Vec<String> = Vec::new();
    let sipdis =
        year >= 2004 && ctx.r.chance(0.95) || (2002..2004).contains(&year) && ctx.r.chance(0.5);
    if matches!(class, Class::CNf | Class::SNf) {
        captions.push("NOFORN".into());
    }
    if class == Class::Fouo {
        captions.push("SENSITIVE".into());
    }
    if sipdis {
        if ctx.r.chance(0.5) {
            captions.insert(0, "SIPDIS".into());
        } else {
            captions.push("SIPDIS".into());
        }
    }
    if class.classified() && ctx.r.chance(0.03) {
        captions.push(ctx.r.pick(&["EXDIS", "NODIS", "LIMDIS"]).to_string());
    }
    for c in &captions {
        body.push((LineKind::Plain, format!("{c} ")));
    }
    if !captions.is_empty() {
        blank(&mut body);
    }
    if ctx.r.chance(0.25) {
        let a = ctx.r.pick(BUREAUS);
        let b = ctx.r.pick(BUREAUS);
        let line = if is_state {
            format!("FOR {a}")
        } else if a == b {
            format!("DEPT FOR {a}")
        } else {
            format!("DEPT FOR {a}, {b}")
        };
        body.push((LineKind::Plain, format!("{line} ")));
        blank(&mut body);
    }

    // E.O. line
    let (eo, declassify_on) = if year < 1995 || (year == 1995 && slot.month < 10) {
        if class.classified() {
            ("E.O. 12356: DECL: OADR".to_string(), None)
        } else {
            ("E.O. 12356: N/A".to_string(), None)
        }
    } else if class.classified() {
        let years = match ctx.r.below(20) {
            0 => 25,
            1 => 20,
            2 => 5,
            _ => 10,
        };
        // DECL is usually the day before the cable's date, `years` on.
        let (mut dy, mut dm, mut dd) = (year + years, u32::from(slot.month), u32::from(slot.day));
        if ctx.r.chance(0.7) {
            if dd > 1 {
                dd -= 1;
            } else if dm > 1 {
                dm -= 1;
                dd = days_in_month(dy, dm);
            } else {
                dy -= 1;
                dm = 12;
                dd = 31;
            }
        }
        dd = dd.min(days_in_month(dy, dm));
        (
            format!("E.O. 12958: DECL: {dm:02}/{dd:02}/{dy}"),
            Some(format!("{dy}-{dm:02}-{dd:02}")),
        )
    } else {
        ("E.O. 12958: N/A".to_string(), None)
    };
    body.push((LineKind::Plain, format!("{eo} ")));

    // TAGS
    let mut tags: Vec<String> = vec![SUBJECT_TAGS[topic].0.to_string()];
    let n_more = ctx.r.range(0, 3);
    for _ in 0..n_more {
        let t = SUBJECT_TAGS[*ctx.r.pick(group)].0.to_string();
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    if ctx.r.chance(0.15) {
        let t = ctx.r.pick(SUBJECT_TAGS).0.to_string();
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    if post.country.len() > 2 && post.country != "XX" {
        tags.push(post.country.to_string());
    }
    tags.push(host.to_string());
    if ctx.r.chance(0.25) {
        let t = ctx.r.pick(WORLD_TAGS).to_string();
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    let sep = if ctx.r.chance(0.25) { ", " } else { " " };
    body.push((LineKind::Tags, format!("TAGS: {} ", tags.join(sep))));

    // SUBJECT
    let subj_country = if host_name.is_empty() {
        "REGIONAL"
    } else {
        host_name
    };
    let topic_up = SUBJECT_TAGS[topic].1.to_uppercase();
    let mut subject = match ctx.r.below(4) {
        0 => format!(
            "{subj_country}: {} {} ON {topic_up}",
            ctx.r.pick(ROLES).to_uppercase(),
            ctx.r.pick(SUBJECT_VERBS)
        ),
        1 => format!("{topic_up} {} IN {subj_country}", ctx.r.pick(TOPIC_NOUNS)),
        2 => format!(
            "{subj_country} {}: {} AHEAD OF {}",
            topic_up,
            ctx.r.pick(TOPIC_NOUNS),
            ctx.r
                .pick(OBJECTS)
                .trim_start_matches("the ")
                .to_uppercase()
        ),
        _ => format!(
            "{} {} {} FOR {subj_country}",
            ctx.r.pick(INSTITUTIONS).to_uppercase(),
            ctx.r.pick(SUBJECT_VERBS),
            ctx.r
                .pick(OBJECTS)
                .trim_start_matches("the ")
                .to_uppercase()
        ),
    };
    if year >= 2005 && ctx.r.chance(0.3) {
        subject = title_case(&subject.to_lowercase());
    }
    let subject_marking = if ctx.r.chance(0.04) {
        Some(marks_for(class)[0])
    } else {
        None
    };
    let mut subj_words: Vec<String> = vec!["SUBJECT:".into()];
    if let Some((w, _, _)) = subject_marking {
        subj_words.push(format!("({w})"));
    }
    subj_words.extend(subject.split(' ').map(String::from));
    let refs_w: Vec<&str> = subj_words.iter().map(String::as_str).collect();
    for l in wrap(&refs_w, 62) {
        body.push((LineKind::Plain, format!("{l} ")));
    }
    blank(&mut body);

    // REF
    let (references, references_outside, ref_texts, refs_need_year) =
        references(plan, k, &mut ctx.r);
    if !ref_texts.is_empty() {
        if ref_texts.len() == 1 {
            body.push((LineKind::Plain, format!("REF: {} ", ref_texts[0])));
        } else {
            let label = if ctx.r.chance(0.5) { "REF:" } else { "REFS:" };
            let paren = ctx.r.chance(0.2);
            for (i, t) in ref_texts.iter().enumerate() {
                let letter = (b'A' + i as u8) as char;
                let bullet = if paren {
                    format!("{letter})")
                } else {
                    format!("{letter}.")
                };
                if i == 0 {
                    body.push((LineKind::Plain, format!("{label} {bullet} {t} ")));
                } else {
                    body.push((LineKind::Plain, format!("     {bullet} {t} ")));
                }
            }
        }
        blank(&mut body);
    }

    // Classified By
    let (chief_first, chief_last) = chief(plan.seed, post, year);
    let mut classified_by: Vec<String> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    if class.classified() && ctx.r.chance(0.95) {
        let section = if year >= 2003 || ctx.r.chance(0.1) {
            "1.4"
        } else {
            "1.5"
        };
        let letters: &[char] = match ctx.r.weighted(&[60, 15, 8, 6, 5, 6]) {
            0 => &['b', 'd'],
            1 => &['d'],
            2 => &['b'],
            3 => &['c', 'd'],
            4 => &['a', 'b', 'd'],
            _ => &['d', 'h'],
        };
        let (title, name) = if is_state {
            (ctx.r.pick(DEPT_TITLES).to_string(), ctx.person())
        } else {
            let t = *ctx.r.pick(TITLES);
            if t == "Ambassador" {
                (
                    t.to_string(),
                    format!("{chief_first} {}", title_case(&chief_last)),
                )
            } else {
                (t.to_string(), ctx.person())
            }
        };
        let letters_list: Vec<String> = letters.iter().map(|c| format!("({c})")).collect();
        let reason_text = match letters_list.len() {
            1 => letters_list[0].clone(),
            2 => format!("{} and {}", letters_list[0], letters_list[1]),
            _ => {
                let (last, rest) = letters_list.split_last().expect("non-empty");
                format!("{}, and {last}", rest.join(", "))
            }
        };
        let line = match ctx.r.below(3) {
            0 => format!("Classified By: {title} {name} for reasons {section} {reason_text}."),
            1 => format!("Classified By: {name}, {title}, Reasons {section} {reason_text}"),
            _ => format!("Classified by: {title} {name}. Reason: {section} {reason_text}."),
        };
        let words: Vec<&str> = line.split(' ').collect();
        for l in wrap(&words, 64) {
            body.push((LineKind::Plain, format!("{l} ")));
        }
        blank(&mut body);
        classified_by.push(name);
        reasons = letters.iter().map(|c| format!("{section}({c})")).collect();
    }

    // ---- paragraphs
    let width = 60 + ctx.r.below(9) as usize;
    let n_par = 2 + ctx.r.geometric(7.0, 30);
    let marks = marks_for(class);
    let weights: Vec<u32> = marks.iter().map(|m| m.2).collect();
    let unmarked = class == Class::U && ctx.r.chance(0.05);
    let has_summary = n_par >= 4 && ctx.r.chance(0.6);
    let has_comment = n_par >= 4 && ctx.r.chance(0.35);
    let mut paragraphs: Vec<TruthParagraph> = Vec::new();
    let mut par_lines: Vec<(u32, Vec<String>)> = Vec::new();
    let mut summary = None;
    let mut comment = None;
    let double_space = ctx.r.chance(0.5);
    for n in 1..=n_par {
        // The first paragraph carries the cable's own level.
        let (w, norm) = if unmarked {
            ("", "")
        } else if n == 1 {
            (marks[0].0, marks[0].1)
        } else {
            let m = marks[ctx.r.weighted(&weights)];
            (m.0, m.1)
        };
        // "1.  (C)  Text" or "1. (C) Text"; the lead is one token for wrapping.
        let lead = if unmarked {
            format!("{n}.")
        } else if double_space {
            format!("{n}.  ({w}) ")
        } else {
            format!("{n}. ({w})")
        };
        let text = if n == 1 && has_summary {
            let k = ctx.r.range(2, 4);
            let s = ctx.sentences(k);
            summary = Some(s.clone());
            format!("Summary: {s} End summary.")
        } else if n == n_par && has_comment {
            let k = ctx.r.range(1, 3);
            let s = ctx.sentences(k);
            comment = Some(s.clone());
            format!("Comment: {s} End comment.")
        } else {
            let k = ctx.r.geometric(3.5, 9);
            ctx.sentences(k)
        };
        let mut words: Vec<&str> = vec![lead.as_str()];
        words.extend(text.split(' '));
        let lines = wrap(&words, width);
        paragraphs.push(TruthParagraph {
            number: n,
            marking: (!unmarked).then(|| norm.to_string()),
        });
        par_lines.push((n, lines));
    }

    // ---- damage: lost paragraph-final lines
    let mut damage: Vec<Damage> = Vec::new();
    let mut lost_fields: Vec<String> = Vec::new();
    if ctx.r.chance(0.04) {
        let mut hit = Vec::new();
        let tries = ctx.r.range(1, 3);
        for _ in 0..tries {
            let i = ctx.r.below(par_lines.len() as u64) as usize;
            let n = par_lines[i].0;
            let protected = (n == 1 && has_summary) || (n == n_par && has_comment);
            if !protected && par_lines[i].1.len() >= 2 && !hit.contains(&n) {
                par_lines[i].1.pop();
                hit.push(n);
            }
        }
        if !hit.is_empty() {
            hit.sort_unstable();
            damage.push(Damage {
                kind: "lost_lines".into(),
                paragraphs: hit,
            });
        }
    }

    let heading_at = if n_par >= 5 && ctx.r.chance(0.15) {
        Some(ctx.r.range(3, n_par))
    } else {
        None
    };
    let blank_line = if ctx.r.chance(0.7) { " " } else { "" };
    for (n, lines) in par_lines {
        if heading_at == Some(n) {
            let h = *ctx.r.pick(HEADINGS);
            body.push((LineKind::Plain, format!("{h} ")));
            body.push((LineKind::Plain, format!("{} ", "-".repeat(h.len()))));
        }
        for (i, l) in lines.into_iter().enumerate() {
            let kind = if i == 0 {
                LineKind::Paragraph(n)
            } else {
                LineKind::Plain
            };
            body.push((kind, format!("{l} ")));
        }
        body.push((LineKind::Plain, blank_line.to_string()));
    }

    // ---- signature
    let signer = if is_state {
        SECRETARIES
            .iter()
            .rev()
            .find(|(y, _)| *y <= year)
            .map_or("SHULTZ", |s| s.1)
            .to_string()
    } else if ctx.r.chance(0.85) {
        chief_last.clone()
    } else {
        surname(&mut ctx.r)
    };
    let lose_signature = ctx.r.chance(0.015);
    let mut signers = vec![signer.clone()];
    if lose_signature {
        damage.push(Damage {
            kind: "lost_signature".into(),
            paragraphs: Vec::new(),
        });
        lost_fields.push("signers".into());
        signers.clear();
    } else {
        body.push((LineKind::Plain, signer));
    }

    // ---- sections
    let section_len = 95 + ctx.r.below(30) as usize;
    let content_lines = body.len();
    let total = content_lines.div_ceil(section_len).max(1) as u32;
    if total > 1 {
        let mut out: Vec<(LineKind, String)> = Vec::with_capacity(body.len() + 4 * total as usize);
        for (i, line) in body.into_iter().enumerate() {
            if i > 0 && i % section_len == 0 {
                let page = (i / section_len + 1) as u32;
                out.push((LineKind::Plain, " ".into()));
                out.push((
                    LineKind::Plain,
                    format!("{station_w} {:08}  {page:03} OF {total:03} ", slot.serial),
                ));
                out.push((LineKind::Plain, " ".into()));
                out.push((LineKind::Plain, " ".into()));
            }
            out.push(line);
        }
        body = out;
    }
    body[class_line_index].1 = if total > 1 {
        format!(
            "{level_word} SECTION 01 OF {total:02} {station_w} {:06} ",
            slot.serial
        )
    } else {
        format!("{level_word} {station_w} {:06} ", slot.serial)
    };
    let slash = if total > 1 || sections_hint_single_slash {
        "/01"
    } else {
        ""
    };
    header[de_index] = format!(
        "DE {} #{:04}{slash} {:03}{:02}{:02}",
        post.ri,
        slot.serial % 10_000,
        doy,
        de_min / 60,
        de_min % 60
    );

    // ---- damage: missing header
    if ctx.r.chance(0.02) {
        header.clear();
        damage.push(Damage {
            kind: "missing_header".into(),
            paragraphs: Vec::new(),
        });
        for f in [
            "created",
            "precedence",
            "recipients",
            "info_recipients",
            "origin.routing_indicator",
            "origin.name",
        ] {
            lost_fields.push(f.into());
        }
        if container == Container::Telegram {
            // Nothing but the text is left: no year, so no id, and REF items
            // written without their year cannot be resolved.
            lost_fields.insert(0, "id".into());
            if refs_need_year {
                lost_fields.push("references".into());
            }
        }
    }

    let created = format!(
        "{year:04}-{:02}-{:02}T{:02}:{:02}:00Z",
        slot.month, slot.day, slot.hour, slot.minute
    );
    let mut dump_references = references.clone();
    if ctx.r.chance(0.01) {
        dump_references.push(id.clone());
    }
    let truth = Truth {
        id,
        file: String::new(),
        created,
        precedence: prec.into(),
        origin: TruthOrigin {
            routing_indicator: post.ri.into(),
            station: post.code.into(),
            name: post.plad.into(),
        },
        classification: class.published().into(),
        captions,
        recipients,
        info_recipients,
        eo,
        declassify_on,
        classified_by,
        reasons,
        tags,
        subject,
        subject_marking: subject_marking.map(|m| m.1.to_string()),
        references,
        references_outside,
        summary,
        comment,
        paragraphs,
        signers,
        redactions: ctx.redactions,
        sections: total,
        damage,
        lost_fields,
    };
    Cable {
        header,
        body,
        origin_label: origin_label(post),
        dump_references,
        truth,
    }
}

/// An exponential-like draw with the given mean, at least 1.
fn expo(r: &mut Rng, mean: f64) -> u64 {
    let u = r.unit().max(1e-12);
    1 + (-u.ln() * mean) as u64
}

/// Picks the REF list of cable `k`: earlier cables of the same post, of the
/// Department and of any post, plus some cables outside the corpus. Returns the
/// ids, the outside ids, and the items as written.
fn references(plan: &Plan, k: usize, r: &mut Rng) -> (Vec<String>, Vec<String>, Vec<String>, bool) {
    let slot = plan.slots[k];
    let all = posts();
    let n = r.weighted(&[45, 25, 15, 10, 5]);
    let mut ids: Vec<String> = Vec::new();
    let mut outside: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut need_year = false;
    let state = state_index();
    for _ in 0..n {
        let roll = r.below(100);
        let target: Option<Slot> = if roll < 45 {
            let back = expo(r, 6.0);
            let p = u64::from(slot.pos_in_post);
            (back <= p).then(|| {
                let list = &plan.by_post[slot.post as usize];
                plan.slots[list[(p - back) as usize] as usize]
            })
        } else if roll < 70 {
            let list = &plan.by_post[state];
            let end = list.partition_point(|&c| (c as usize) < k) as u64;
            let back = expo(r, 15.0);
            (back <= end).then(|| plan.slots[list[(end - back) as usize] as usize])
        } else if roll < 85 {
            let back = expo(r, 400.0);
            (back <= k as u64).then(|| plan.slots[k - back as usize])
        } else {
            None
        };
        let is_outside = target.is_none();
        let t = match target {
            Some(t) => t,
            None => {
                // A cable outside the corpus: same post, the Department or another.
                let post = match r.below(10) {
                    0..=4 => slot.post,
                    5..=7 => state as u16,
                    _ => r.below(all.len() as u64) as u16,
                };
                let same_year = r.chance(0.7);
                let year = if same_year { slot.year } else { slot.year - 1 };
                let max = if post == slot.post && same_year {
                    slot.serial.saturating_sub(1)
                } else if post as usize == state {
                    60_000
                } else {
                    2_500
                };
                if max < 1 {
                    continue;
                }
                let serial = r.range(1, max);
                if plan.ids.contains(&(post, year, serial)) || all[post as usize].code == "PARTO" {
                    continue;
                }
                Slot {
                    post,
                    year,
                    month: 1,
                    day: 1,
                    hour: 0,
                    minute: 0,
                    serial,
                    pos_in_post: 0,
                }
            }
        };
        let id = t.id();
        if ids.contains(&id) || id == slot.id() {
            continue;
        }
        if is_outside {
            outside.push(id.clone());
        }
        let p = &all[t.post as usize];
        let station = if p.code == "STATE" && r.chance(0.1) {
            "SECSTATE".to_string()
        } else {
            written_station(p)
        };
        let with_year = t.year != slot.year || r.chance(0.5);
        need_year |= !with_year;
        let mut text = if with_year {
            format!("{:02} {station} {}", t.year.rem_euclid(100), t.serial)
        } else {
            format!("{station} {}", t.serial)
        };
        if r.chance(0.05) {
            text.push_str(" (NOTAL)");
        }
        ids.push(id);
        texts.push(text);
    }
    (ids, outside, texts, need_year)
}

//! The envelope: ACP-127 format lines (VZCZC, routing line, DE, ZNR/ZNY, DTG, FM,
//! TO, INFO, XMT) that the communications centre put before the text.

use crate::record::Recipient;

/// What the envelope lines say.
#[derive(Debug, Default, Clone)]
pub struct Envelope {
    /// `VZCZC...` token.
    pub transmission_id: Option<String>,
    /// DE line.
    pub de: Option<DeLine>,
    /// FL4 level letter: U, E, C, S, T.
    pub security_letter: Option<char>,
    /// DTG line.
    pub dtg: Option<Dtg>,
    /// FM plain-language address.
    pub from: Option<String>,
    /// TO lines.
    pub to: Vec<Recipient>,
    /// INFO lines.
    pub info: Vec<Recipient>,
    /// XMT lines.
    pub exempt: Vec<Recipient>,
    /// Index of the first line after the envelope.
    pub end: usize,
}

/// The DE ("from") line: `DE RUEHMO #1599/01 1571119`.
#[derive(Debug, Clone)]
pub struct DeLine {
    /// Transmitting station's routing indicator.
    pub ri: String,
    /// Station serial number as written (serial mod 10,000).
    pub ssn: u64,
    /// Section number after the slash.
    pub section: Option<u32>,
    /// Julian day (1–366) and time.
    pub day: Option<(i16, i8, i8)>,
}

/// The date-time group line: `R 051119Z JUN 08`.
#[derive(Debug, Clone)]
pub struct Dtg {
    /// Precedence prosigns before the group (`O`, `R`).
    pub prosigns: Vec<String>,
    /// Day of month.
    pub day: i8,
    /// Hour.
    pub hour: i8,
    /// Minute.
    pub minute: i8,
    /// Month (1–12).
    pub month: i8,
    /// Full year.
    pub year: i32,
}

re!(vzczc_re, r"^\s*(VZCZC[A-Z0-9]*)");
re!(
    fl2_re,
    r"^\s*(?:[RPOZY]{2}|[RPOZY] [RPOZY])\s+R[A-Z]{3,7}(?:\s+R[A-Z]{3,7})*\s*$"
);
re!(ri_list_re, r"^\s*R[A-Z]{3,7}(?:\s+R[A-Z]{3,7})*\s*$");
re!(
    de_re,
    r"^\s*DE\s+([A-Z]{4,8})\s*#?\s*([0-9O]{1,5})(?:\s*/\s*(\d{1,3}))?(?:\s+(\d{3})\s?(\d{2})(\d{2}))?"
);
re!(zn_re, r"^\s*ZN[RY]\s+([UECSTX])[UECSTX]{3,4}");
re!(
    dtg_re,
    r"^\s*((?:(?:NIACT\s+)?[RPOZY]{1,2}\s+){0,3})(\d{2})\s?(\d{2})(\d{2})\s?Z\s*([A-Za-z]{3})\s*(\d{4}|\d{2})(?-u:\b)"
);
re!(fm_re, r"^\s*FM\s+(.+?)\s*$");
// `XMT/AMEMBASSY KHARTOUM`: the exempt prosign may be joined to its address by a
// slash.
re!(
    addr_key_re,
    r"^\s*(TO|INFO|XMT)(?:\s+|(?-u:\b)/\s*)(.*?)\s*$"
);
re!(glued_page_re, r"\s+PAGE\s+\d{2,3}\s.*$");

/// Precedence word for a DTG prosign.
pub fn prosign_precedence(p: &str) -> Option<&'static str> {
    Some(match p.trim() {
        "R" | "RR" => "ROUTINE",
        "P" | "PP" => "PRIORITY",
        "O" | "OO" => "IMMEDIATE",
        "Z" | "ZZ" => "FLASH",
        "Y" | "YY" => "FLASH",
        _ => return None,
    })
}

/// Reads a DTG line, if `line` is one.
pub fn read_dtg(line: &str) -> Option<Dtg> {
    // Cheap test first: a DTG line is short and has a Z after six digits.
    if line.len() > 60
        || !line.contains(['Z', 'z'])
        || line.bytes().filter(u8::is_ascii_digit).count() < 8
    {
        return None;
    }
    let c = dtg_re().captures(line)?;
    let month = crate::dtg::month_number(&c[5])?;
    let year = crate::dtg::dtg_year(&c[6])?;
    let prosigns: Vec<String> = c[1]
        .split_whitespace()
        .filter(|p| *p != "NIACT")
        .map(str::to_string)
        .collect();
    Some(Dtg {
        prosigns,
        day: c[2].parse().ok()?,
        hour: c[3].parse().ok()?,
        minute: c[4].parse().ok()?,
        month,
        year,
    })
}

/// Reads a DE line, if `line` is one.
pub fn read_de(line: &str) -> Option<DeLine> {
    if !line.trim_start().starts_with("DE ") {
        return None;
    }
    let c = de_re().captures(line)?;
    // Routing indicators start with R: `DE JANEIRO 1234` is an addressee line
    // (`RUEHRI/AMCONSUL RIO` / `DE JANEIRO 1234`) wrapped, not a DE line.
    if !c[1].starts_with('R') {
        return None;
    }
    let ssn = c[2].replace('O', "0").parse().ok()?;
    let day = match (c.get(4), c.get(5), c.get(6)) {
        (Some(d), Some(h), Some(m)) => Some((
            d.as_str().parse().ok()?,
            h.as_str().parse().ok()?,
            m.as_str().parse().ok()?,
        )),
        _ => None,
    };
    Some(DeLine {
        ri: c[1].to_string(),
        ssn,
        section: c.get(3).and_then(|s| s.as_str().parse().ok()),
        day,
    })
}

/// True for a line of routing indicators only (a wrapped format line 2).
pub fn is_ri_list(line: &str) -> bool {
    ri_list_re().is_match(line)
}

/// Reads one addressee line (without its TO/INFO/XMT keyword):
/// `[RI/]PLAD[//OFFICE//] [PRECEDENCE] [NNNN]`.
///
/// Hand-written rather than one regex: the optional parts sit at both ends of a
/// free-text name, which a regex with captures can only take by backtracking.
pub fn read_recipient(line: &str) -> Option<Recipient> {
    // A page header glued on the line (`RUEHC/SECSTATE WASHDC 1234 PAGE 02 RUEHRO
    // 0123`) is not part of the address.
    let line = match glued_page_re().find(line) {
        Some(m) => &line[..m.start()],
        None => line,
    };
    let t = line.trim().trim_end_matches(['.', ',']).trim_end();
    if t.is_empty() {
        return None;
    }
    // The routing indicator: letters (and a digit or two) before the first '/',
    // with no space, when the '/' is not part of a "//OFFICE//" suffix.
    let (ri, rest) = match t.find('/') {
        Some(i) if !t[i..].starts_with("//") && is_routing_indicator(t[..i].trim_end()) => {
            (Some(t[..i].trim_end().to_string()), t[i + 1..].trim_start())
        }
        _ => (None, t),
    };
    let mut words: Vec<&str> = rest.split_whitespace().collect();
    let serial = match words.last() {
        Some(w) if words.len() > 1 && w.len() <= 5 && w.bytes().all(|b| b.is_ascii_digit()) => {
            words.pop().map(str::to_string)
        }
        Some(w) if words.len() == 1 && ri.is_some() && w.bytes().all(|b| b.is_ascii_digit()) => {
            None
        }
        _ => None,
    };
    let precedence = match words.as_slice() {
        [.., a, b] if *a == "NIACT" && *b == "IMMEDIATE" && words.len() > 2 => {
            words.truncate(words.len() - 2);
            Some("NIACT IMMEDIATE".to_string())
        }
        [.., w] if words.len() > 1 && precedence_word(w).is_some() => {
            let p = precedence_word(w).map(str::to_string);
            words.pop();
            p
        }
        _ => None,
    };
    if words.is_empty() {
        return None;
    }
    Some(Recipient {
        routing_indicator: ri,
        name: words.join(" "),
        precedence,
        serial,
    })
}

fn is_routing_indicator(s: &str) -> bool {
    let b = s.as_bytes();
    (4..=10).contains(&b.len())
        && b[..4].iter().all(u8::is_ascii_uppercase)
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The precedence a recipient line's word stands for, typos included.
fn precedence_word(w: &str) -> Option<&'static str> {
    Some(match w {
        "IMMEDIATE" | "IMMED" => "IMMEDIATE",
        "PRIORITY" | "PRIORTY" | "PIORITY" | "PRIOITY" | "PRIORITYY" => "PRIORITY",
        "ROUTINE" => "ROUTINE",
        "FLASH" => "FLASH",
        _ => return None,
    })
}

/// Scans the envelope from the top of `lines`. Lines before the first format line
/// (titles, dump-row fields) are skipped while `stop` does not fire; the scan ends
/// at the first line `stop` accepts, or at the first unknown line after the
/// addressees.
pub fn scan(lines: &[&str], stop: &dyn Fn(&str) -> bool) -> Envelope {
    let mut env = Envelope::default();
    let mut block: Option<u8> = None; // 0 TO, 1 INFO, 2 XMT
    let mut seen = false;
    let mut last_format_line = 0usize;
    let limit = lines.len().min(400);
    let mut i = 0;
    while i < limit {
        let line = lines[i];
        let t = line.trim();
        if t.is_empty() {
            if block.is_some() && (!env.to.is_empty() || !env.info.is_empty()) {
                // A blank line after the addressees ends the envelope unless the next
                // line continues it.
                let next = lines[i + 1..limit].iter().find(|l| !l.trim().is_empty());
                match next {
                    Some(n) if addr_key_re().is_match(n) => {}
                    _ => block = None,
                }
            }
            i += 1;
            continue;
        }
        if env.transmission_id.is_none() && !seen {
            // `t` is trimmed: the anchored regex can only match after this prefix,
            // and testing it first skips the capture machinery on most lines.
            if let Some(c) = t
                .starts_with("VZCZC")
                .then(|| vzczc_re().captures(t))
                .flatten()
            {
                env.transmission_id = Some(c[1].to_string());
                seen = true;
                last_format_line = i;
                i += 1;
                continue;
            }
        }
        if env.de.is_none() {
            if let Some(de) = read_de(t) {
                env.de = Some(de);
                seen = true;
                last_format_line = i;
                i += 1;
                continue;
            }
        }
        if env.security_letter.is_none() {
            if let Some(c) = t.starts_with("ZN").then(|| zn_re().captures(t)).flatten() {
                env.security_letter = c[1].chars().next();
                seen = true;
                last_format_line = i;
                i += 1;
                continue;
            }
        }
        if env.dtg.is_none() && block.is_none() {
            if let Some(d) = read_dtg(t) {
                env.dtg = Some(d);
                seen = true;
                last_format_line = i;
                i += 1;
                continue;
            }
        }
        if env.from.is_none() {
            if let Some(c) = t.starts_with("FM").then(|| fm_re().captures(t)).flatten() {
                env.from = Some(c[1].to_string());
                seen = true;
                last_format_line = i;
                i += 1;
                continue;
            }
        }
        if seen {
            if let Some(c) = addr_key_re().captures(t) {
                let which = match &c[1] {
                    "TO" => 0,
                    "INFO" => 1,
                    _ => 2,
                };
                block = Some(which);
                if let Some(r) = read_recipient(&c[2]) {
                    push(&mut env, which, r);
                }
                last_format_line = i;
                i += 1;
                continue;
            }
        }
        let ri_continuation = block.is_none() && env.from.is_none() && ri_list_re().is_match(t);
        if t == "BT"
            || fl2_re().is_match(t)
            || ri_continuation
            || t.starts_with("ZDK")
            || t.starts_with("ZFF")
        {
            last_format_line = i;
            i += 1;
            continue;
        }
        if stop(line) {
            break;
        }
        if let Some(which) = block {
            if looks_like_address(t) {
                if let Some(r) = read_recipient(t) {
                    push(&mut env, which, r);
                }
                last_format_line = i;
                i += 1;
                continue;
            }
            break;
        }
        if seen {
            break;
        }
        // Before or inside the envelope: titles, dump-row fields, operating signals.
        i += 1;
    }
    env.end = if seen { last_format_line + 1 } else { 0 };
    env
}

fn push(env: &mut Envelope, which: u8, r: Recipient) {
    match which {
        0 => env.to.push(r),
        1 => env.info.push(r),
        _ => env.exempt.push(r),
    }
}

fn looks_like_address(t: &str) -> bool {
    // Addressee lines are upper case, short, and carry no sentence punctuation.
    t.len() <= 120
        && crate::parse::text::is_upper(t)
        && !t.contains(": ")
        && !t.ends_with(':')
        && !t.starts_with("E.O.")
        && !t.starts_with("TAGS")
        && !t.starts_with("SUBJ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn de_line() {
        let de = read_de("DE RUEHMO #1599/01 1571119").unwrap();
        assert_eq!(de.ri, "RUEHMO");
        assert_eq!(de.ssn, 1599);
        assert_eq!(de.section, Some(1));
        assert_eq!(de.day, Some((157, 11, 19)));
    }

    #[test]
    fn a_page_header_on_an_addressee_line_and_xmt_with_a_slash() {
        let r = read_recipient("RUEHC/SECSTATE WASHDC 1234 PAGE 02 RUEHRO 0123").unwrap();
        assert_eq!(r.name, "SECSTATE WASHDC");
        assert_eq!(r.serial.as_deref(), Some("1234"));
        let env = scan(
            &[
                "R 141200Z FEB 09",
                "FM AMEMBASSY ROME",
                "TO RUEHC/SECSTATE WASHDC 1234",
                "XMT/AMEMBASSY KHARTOUM",
            ],
            &|_| false,
        );
        assert_eq!(env.exempt.len(), 1);
        assert_eq!(env.exempt[0].name, "AMEMBASSY KHARTOUM");
    }

    #[test]
    fn a_wrapped_rio_de_janeiro_is_no_de_line() {
        assert!(read_de("DE JANEIRO 1234").is_none());
        assert!(read_de("DE RUEHRI #1234 0451200").is_some());
    }

    #[test]
    fn dtg_line() {
        let d = read_dtg("O R 031728Z MAR 09").unwrap();
        assert_eq!(d.prosigns, vec!["O", "R"]);
        assert_eq!(
            (d.day, d.hour, d.minute, d.month, d.year),
            (3, 17, 28, 3, 2009)
        );
        assert!(read_dtg("221828 Z MAY 73").is_some());
        assert!(read_dtg("PAGE 02 ATHENS 02959 171944Z").is_none());
    }

    #[test]
    fn recipients() {
        let r = read_recipient("RUEHC/SECSTATE WASHDC PRIORITY 6811").unwrap();
        assert_eq!(r.routing_indicator.as_deref(), Some("RUEHC"));
        assert_eq!(r.name, "SECSTATE WASHDC");
        assert_eq!(r.precedence.as_deref(), Some("PRIORITY"));
        assert_eq!(r.serial.as_deref(), Some("6811"));
        let r = read_recipient("RUEKJCS/SECDEF WASHDC//USDP ADMIN/CHAIRS//").unwrap();
        assert_eq!(r.name, "SECDEF WASHDC//USDP ADMIN/CHAIRS//");
        assert_eq!(r.serial, None);
        let r = read_recipient("SECSTATE WASHDC PRIORITY 4496").unwrap();
        assert_eq!(r.routing_indicator, None);
        assert_eq!(r.serial.as_deref(), Some("4496"));
        let r = read_recipient("RUEHLP/AMEMBASSY LA PAZ FEB LIMA 4783").unwrap();
        assert_eq!(r.name, "AMEMBASSY LA PAZ FEB LIMA");
        let r = read_recipient("AMEMBASSY BUENOS AIRES PRIOITY 0042").unwrap();
        assert_eq!(r.precedence.as_deref(), Some("PRIORITY"));
        assert_eq!(r.serial.as_deref(), Some("0042"));
    }
}

//! Fixed tables: posts, the date distribution, tags, word lists.
//!
//! Posts come from the parser crate's derived station tables (routing indicator →
//! station → PLAD, and per-station id counts with year spans), read at compile
//! time. Everything else is written here: the month weights are counts derived
//! from the list of Cablegate ids, the word lists and tags are our own.

use std::sync::OnceLock;

const ROUTING_INDICATORS: &str = include_str!("../../format/data/routing-indicators.tsv");
const STATIONS: &str = include_str!("../../format/data/stations.tsv");

/// One post that can originate or receive cables.
#[derive(Debug, Clone)]
pub struct Post {
    /// Routing indicator (`RUEHMO`).
    pub ri: &'static str,
    /// Station code as in reference ids (`MOSCOW`).
    pub code: &'static str,
    /// Plain-language address (`AMEMBASSY MOSCOW`).
    pub plad: &'static str,
    /// Cablegate id count: the post's weight as an originator.
    pub weight: u32,
    /// First year the post appears in Cablegate.
    pub first_year: i32,
    /// Last year the post appears in Cablegate.
    pub last_year: i32,
    /// Geographic TAGS code of the host country (`RS`).
    pub country: &'static str,
}

/// All posts with a routing indicator and a Cablegate count, in the tables' order.
pub fn posts() -> &'static [Post] {
    static POSTS: OnceLock<Vec<Post>> = OnceLock::new();
    POSTS.get_or_init(|| {
        let mut counts: Vec<(&str, u32, i32, i32)> = Vec::new();
        for line in STATIONS.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 4 {
                continue;
            }
            if let (Ok(n), Ok(a), Ok(b)) = (f[1].parse(), f[2].parse(), f[3].parse()) {
                counts.push((f[0], n, a, b));
            }
        }
        let mut out: Vec<Post> = Vec::new();
        for line in ROUTING_INDICATORS.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 3 || out.iter().any(|p| p.code == f[1]) {
                continue;
            }
            let Some(&(_, n, a, b)) = counts.iter().find(|c| c.0 == f[1]) else {
                continue;
            };
            out.push(Post {
                ri: f[0],
                code: f[1],
                plad: f[2],
                weight: n,
                first_year: a,
                last_year: b,
                country: country_tag(f[1]),
            });
        }
        out
    })
}

/// Index of the Department (`STATE`) in [`posts`].
pub fn state_index() -> usize {
    posts()
        .iter()
        .position(|p| p.code == "STATE")
        .expect("STATE in the routing table")
}

/// Cables per year (1985–1999; the 17 items dated before 1985 are folded into
/// 1985), derived from the list of Cablegate ids. Months are uniform before 2000.
pub const EARLY_YEARS: [(i32, u32); 15] = [
    (1985, 104),
    (1986, 45),
    (1987, 35),
    (1988, 73),
    (1989, 74),
    (1990, 106),
    (1991, 52),
    (1992, 103),
    (1993, 31),
    (1994, 81),
    (1995, 109),
    (1996, 48),
    (1997, 58),
    (1998, 62),
    (1999, 56),
];

/// Cables per month, January to December, 2000–2010 (derived counts from the
/// list of Cablegate ids; the dump ends in February 2010).
pub const MONTHS: [(i32, [u32; 12]); 11] = [
    (2000, [0, 0, 0, 40, 16, 106, 37, 29, 37, 28, 49, 90]),
    (2001, [37, 45, 66, 45, 66, 62, 39, 97, 100, 98, 124, 99]),
    (
        2002,
        [91, 98, 164, 141, 219, 160, 193, 203, 230, 304, 404, 363],
    ),
    (
        2003,
        [530, 592, 951, 769, 631, 686, 750, 587, 680, 728, 620, 559],
    ),
    (
        2004,
        [
            658, 735, 1166, 970, 840, 914, 1032, 934, 908, 1073, 1222, 1356,
        ],
    ),
    (
        2005,
        [
            1390, 1616, 2057, 1919, 1724, 2174, 1995, 1893, 2195, 2377, 2322, 2469,
        ],
    ),
    (
        2006,
        [
            2392, 3368, 4308, 3331, 3794, 3869, 3234, 3655, 3370, 3544, 3893, 3633,
        ],
    ),
    (
        2007,
        [
            3457, 3710, 4221, 3667, 4043, 3534, 3362, 3489, 3298, 4039, 4254, 3619,
        ],
    ),
    (
        2008,
        [
            3527, 4234, 4179, 4055, 4220, 3963, 4220, 3575, 4095, 4237, 4312, 4829,
        ],
    ),
    (
        2009,
        [
            4320, 4736, 5434, 5137, 4306, 5276, 4406, 3978, 4698, 4650, 4869, 5003,
        ],
    ),
    (2010, [4131, 4874, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
];

/// The Cablegate corpus size, the scale the serial numbers are drawn for.
pub const CABLEGATE_SIZE: u64 = 251_287;

/// `(year, month, weight)` for every month with cables; weights are cables × 12
/// for 2000 on and the yearly count for each month before (so the sums agree).
pub fn month_table() -> &'static [(i32, u32, u32)] {
    static T: OnceLock<Vec<(i32, u32, u32)>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Vec::new();
        for &(y, n) in &EARLY_YEARS {
            for m in 1..=12 {
                t.push((y, m, n));
            }
        }
        for (y, ms) in &MONTHS {
            for (i, &n) in ms.iter().enumerate() {
                if n > 0 {
                    t.push((*y, i as u32 + 1, n * 12));
                }
            }
        }
        t
    })
}

/// Share of the corpus in `year` (from [`month_table`]).
pub fn year_share(year: i32) -> f64 {
    let t = month_table();
    let total: u64 = t.iter().map(|r| u64::from(r.2)).sum();
    let y: u64 = t
        .iter()
        .filter(|r| r.0 == year)
        .map(|r| u64::from(r.2))
        .sum();
    y as f64 / total as f64
}

/// Geographic TAGS code (FIPS 10-4 style, as the Department uses) of a station's
/// host country; international missions get their organisation's tag.
pub fn country_tag(station: &str) -> &'static str {
    const MAP: &[(&str, &str)] = &[
        ("ABIDJAN", "IV"),
        ("ABUDHABI", "AE"),
        ("ABUJA", "NI"),
        ("ACCRA", "GH"),
        ("ADANA", "TU"),
        ("ADDISABABA", "ET"),
        ("AITTAIPEI", "TW"),
        ("ALGIERS", "AG"),
        ("AMMAN", "JO"),
        ("AMSTERDAM", "NL"),
        ("ANKARA", "TU"),
        ("ANTANANARIVO", "MA"),
        ("APIA", "WS"),
        ("ASHGABAT", "TX"),
        ("ASMARA", "ER"),
        ("ASTANA", "KZ"),
        ("ASUNCION", "PA"),
        ("ATHENS", "GR"),
        ("AUCKLAND", "NZ"),
        ("BAGHDAD", "IZ"),
        ("BAKU", "AJ"),
        ("BAMAKO", "ML"),
        ("BANDARSERIBEGAWAN", "BX"),
        ("BANGKOK", "TH"),
        ("BANGUI", "CT"),
        ("BANJUL", "GA"),
        ("BARCELONA", "SP"),
        ("BASRAH", "IZ"),
        ("BEIJING", "CH"),
        ("BEIRUT", "LE"),
        ("BELFAST", "UK"),
        ("BELGRADE", "SR"),
        ("BELMOPAN", "BH"),
        ("BERLIN", "GM"),
        ("BERN", "SZ"),
        ("BISHKEK", "KG"),
        ("BOGOTA", "CO"),
        ("BRASILIA", "BR"),
        ("BRATISLAVA", "LO"),
        ("BRAZZAVILLE", "CF"),
        ("BRIDGETOWN", "BB"),
        ("BUCHAREST", "RO"),
        ("BUDAPEST", "HU"),
        ("BUENOSAIRES", "AR"),
        ("BUJUMBURA", "BY"),
        ("CAIRO", "EG"),
        ("CALCUTTA", "IN"),
        ("CALGARY", "CA"),
        ("CANBERRA", "AS"),
        ("CAPETOWN", "SF"),
        ("CARACAS", "VE"),
        ("CASABLANCA", "MO"),
        ("CHENGDU", "CH"),
        ("CHENNAI", "IN"),
        ("CHIANGMAI", "TH"),
        ("CHISINAU", "MD"),
        ("CIUDADJUAREZ", "MX"),
        ("COLOMBO", "CE"),
        ("CONAKRY", "GV"),
        ("COPENHAGEN", "DA"),
        ("COTONOU", "BN"),
        ("CURACAO", "NT"),
        ("DAKAR", "SG"),
        ("DAMASCUS", "SY"),
        ("DARESSALAAM", "TZ"),
        ("DHAHRAN", "SA"),
        ("DHAKA", "BG"),
        ("DILI", "TT"),
        ("DJIBOUTI", "DJ"),
        ("DOHA", "QA"),
        ("DUBAI", "AE"),
        ("DUBLIN", "EI"),
        ("DURBAN", "SF"),
        ("DUSHANBE", "TI"),
        ("DUSSELDORF", "GM"),
        ("FLORENCE", "IT"),
        ("FRANKFURT", "GM"),
        ("FREETOWN", "SL"),
        ("FUKUOKA", "JA"),
        ("GABORONE", "BC"),
        ("GENEVA", "UNHRC"),
        ("GEORGETOWN", "GY"),
        ("GRENADA", "GJ"),
        ("GUADALAJARA", "MX"),
        ("GUANGZHOU", "CH"),
        ("GUATEMALA", "GT"),
        ("GUAYAQUIL", "EC"),
        ("HALIFAX", "CA"),
        ("HAMBURG", "GM"),
        ("HAMILTON", "BD"),
        ("HANOI", "VM"),
        ("HARARE", "ZI"),
        ("HAVANA", "CU"),
        ("HELSINKI", "FI"),
        ("HERMOSILLO", "MX"),
        ("HOCHIMINHCITY", "VM"),
        ("HONGKONG", "HK"),
        ("HYDERABAD", "IN"),
        ("ISLAMABAD", "PK"),
        ("ISTANBUL", "TU"),
        ("JAKARTA", "ID"),
        ("JEDDAH", "SA"),
        ("JERUSALEM", "KWBG"),
        ("JOHANNESBURG", "SF"),
        ("KABUL", "AF"),
        ("KAMPALA", "UG"),
        ("KARACHI", "PK"),
        ("KATHMANDU", "NP"),
        ("KHARTOUM", "SU"),
        ("KIGALI", "RW"),
        ("KINGSTON", "JM"),
        ("KINSHASA", "CG"),
        ("KOLONIA", "FM"),
        ("KOROR", "PS"),
        ("KUALALUMPUR", "MY"),
        ("KUWAIT", "KU"),
        ("KYIV", "UP"),
        ("LAGOS", "NI"),
        ("LAHORE", "PK"),
        ("LAPAZ", "BL"),
        ("LEIPZIG", "GM"),
        ("LIBREVILLE", "GB"),
        ("LILONGWE", "MI"),
        ("LIMA", "PE"),
        ("LISBON", "PO"),
        ("LJUBLJANA", "SI"),
        ("LOME", "TO"),
        ("LONDON", "UK"),
        ("LUANDA", "AO"),
        ("LUSAKA", "ZA"),
        ("LUXEMBOURG", "LU"),
        ("MADRID", "SP"),
        ("MAJURO", "RM"),
        ("MALABO", "EK"),
        ("MANAGUA", "NU"),
        ("MANAMA", "BA"),
        ("MANILA", "RP"),
        ("MAPUTO", "MZ"),
        ("MARSEILLE", "FR"),
        ("MASERU", "LT"),
        ("MBABANE", "WZ"),
        ("MELBOURNE", "AS"),
        ("MERIDA", "MX"),
        ("MEXICO", "MX"),
        ("MILAN", "IT"),
        ("MINSK", "BO"),
        ("MONROVIA", "LI"),
        ("MONTERREY", "MX"),
        ("MONTEVIDEO", "UY"),
        ("MONTREAL", "CA"),
        ("MOSCOW", "RS"),
        ("MUMBAI", "IN"),
        ("MUNICH", "GM"),
        ("MUSCAT", "MU"),
        ("NAGOYA", "JA"),
        ("NAHA", "JA"),
        ("NAIROBI", "KE"),
        ("NAPLES", "IT"),
        ("NASSAU", "BF"),
        ("NDJAMENA", "CD"),
        ("NEWDELHI", "IN"),
        ("NIAMEY", "NG"),
        ("NICOSIA", "CY"),
        ("NOGALES", "MX"),
        ("NOUAKCHOTT", "MR"),
        ("NUEVOLAREDO", "MX"),
        ("OSAKAKOBE", "JA"),
        ("OSLO", "NO"),
        ("OTTAWA", "CA"),
        ("OUAGADOUGOU", "UV"),
        ("PANAMA", "PM"),
        ("PARAMARIBO", "NS"),
        ("PARIS", "FR"),
        ("PARTO", "OVIP"),
        ("PERTH", "AS"),
        ("PESHAWAR", "PK"),
        ("PHNOMPENH", "CB"),
        ("PODGORICA", "MW"),
        ("PORTAUPRINCE", "HA"),
        ("PORTLOUIS", "MP"),
        ("PORTMORESBY", "PP"),
        ("PORTOFSPAIN", "TD"),
        ("PRAGUE", "EZ"),
        ("PRAIA", "CV"),
        ("PRETORIA", "SF"),
        ("PRISTINA", "KV"),
        ("QUEBEC", "CA"),
        ("QUITO", "EC"),
        ("RABAT", "MO"),
        ("RANGOON", "BM"),
        ("RECIFE", "BR"),
        ("REYKJAVIK", "IC"),
        ("RIGA", "LG"),
        ("RIODEJANEIRO", "BR"),
        ("RIYADH", "SA"),
        ("ROME", "IT"),
        ("RPODUBAI", "IR"),
        ("SANAA", "YM"),
        ("SANJOSE", "CS"),
        ("SANSALVADOR", "ES"),
        ("SANTIAGO", "CI"),
        ("SANTODOMINGO", "DR"),
        ("SAOPAULO", "BR"),
        ("SAPPORO", "JA"),
        ("SARAJEVO", "BK"),
        ("SEOUL", "KS"),
        ("SHANGHAI", "CH"),
        ("SHENYANG", "CH"),
        ("SINGAPORE", "SN"),
        ("SKOPJE", "MK"),
        ("SOFIA", "BU"),
        ("STATE", "XX"),
        ("STOCKHOLM", "SW"),
        ("STPETERSBURG", "RS"),
        ("STRASBOURG", "FR"),
        ("SURABAYA", "ID"),
        ("SUVA", "FJ"),
        ("SYDNEY", "AS"),
        ("TALLINN", "EN"),
        ("TASHKENT", "UZ"),
        ("TBILISI", "GG"),
        ("TEGUCIGALPA", "HO"),
        ("TELAVIV", "IS"),
        ("THEHAGUE", "NL"),
        ("THESSALONIKI", "GR"),
        ("TIJUANA", "MX"),
        ("TIRANA", "AL"),
        ("TOKYO", "JA"),
        ("TORONTO", "CA"),
        ("TRIPOLI", "LY"),
        ("TUNIS", "TS"),
        ("ULAANBAATAR", "MG"),
        ("UNROME", "FAO"),
        ("UNVIEVIENNA", "IAEA"),
        ("USEUBRUSSELS", "EUN"),
        ("USNATO", "NATO"),
        ("USOSCE", "OSCE"),
        ("USUNNEWYORK", "UNSC"),
        ("VALLETTA", "MT"),
        ("VANCOUVER", "CA"),
        ("VATICAN", "VT"),
        ("VIENNA", "AU"),
        ("VIENTIANE", "LA"),
        ("VILNIUS", "LH"),
        ("VLADIVOSTOK", "RS"),
        ("WARSAW", "PL"),
        ("WELLINGTON", "NZ"),
        ("WINDHOEK", "WA"),
        ("YAOUNDE", "CM"),
        ("YEKATERINBURG", "RS"),
        ("YEREVAN", "AM"),
        ("ZAGREB", "HR"),
    ];
    MAP.iter()
        .find(|(s, _)| *s == station)
        .map(|(_, t)| *t)
        .unwrap_or("XX")
}

/// Country tags the Department's own cables are about, with a few extra
/// geographic tags for regional cables.
pub const WORLD_TAGS: &[&str] = &[
    "RS", "CH", "IZ", "AF", "PK", "IR", "IN", "FR", "GM", "UK", "JA", "KS", "KN", "TU", "EG", "IS",
    "MX", "BR", "VE", "CO", "SU", "SO", "NI", "SF", "UP", "GG", "SY", "LE", "SA", "ID",
];

/// Subject tags by category, each with the words the subject and body use.
/// `(tag, topic phrase)`: our own short glosses, not the official descriptions.
pub const SUBJECT_TAGS: &[(&str, &str)] = &[
    ("PREL", "bilateral relations"),
    ("PGOV", "domestic politics"),
    ("PINR", "political leadership"),
    ("PHUM", "human rights"),
    ("PTER", "counterterrorism cooperation"),
    ("MARR", "defense cooperation"),
    ("MOPS", "military operations"),
    ("ECON", "economic outlook"),
    ("EFIN", "financial sector"),
    ("ETRD", "trade negotiations"),
    ("EINV", "investment climate"),
    ("EPET", "oil and gas"),
    ("ENRG", "energy security"),
    ("EAGR", "agricultural policy"),
    ("KDEM", "democratic reform"),
    ("KCRM", "law enforcement"),
    ("SNAR", "counternarcotics"),
    ("KNNP", "nonproliferation"),
    ("PARM", "arms control"),
    ("CASC", "assistance to citizens"),
    ("CVIS", "visa policy"),
    ("KPAO", "public diplomacy"),
    ("SOCI", "social conditions"),
    ("SENV", "environmental issues"),
    ("TBIO", "public health"),
    ("PREF", "refugee flows"),
    ("EAID", "development assistance"),
    ("KJUS", "judicial reform"),
    ("ELAB", "labor issues"),
    ("KIPR", "intellectual property"),
    ("ASEC", "embassy security"),
    ("AMGT", "post management"),
    ("OVIP", "upcoming visit"),
    ("KTFN", "terrorist financing"),
    ("KWMN", "women's participation"),
    ("PINS", "internal security"),
];

/// Subject tags that go well together: a cable's secondary tags are drawn from
/// the same group as its main tag.
pub const TAG_GROUPS: &[&[usize]] = &[
    &[0, 1, 2, 14, 35, 32],
    &[3, 14, 25, 27, 34, 20],
    &[4, 5, 6, 33, 35, 0],
    &[7, 8, 9, 10, 11, 12, 13, 28, 29],
    &[15, 16, 17, 18, 27],
    &[19, 20, 21, 30, 31],
    &[22, 23, 24, 26, 28],
];

/// Country names for subjects, by country tag.
pub fn country_name(tag: &str) -> &'static str {
    const NAMES: &[(&str, &str)] = &[
        ("RS", "RUSSIA"),
        ("CH", "CHINA"),
        ("IZ", "IRAQ"),
        ("AF", "AFGHANISTAN"),
        ("PK", "PAKISTAN"),
        ("IR", "IRAN"),
        ("IN", "INDIA"),
        ("FR", "FRANCE"),
        ("GM", "GERMANY"),
        ("UK", "UK"),
        ("JA", "JAPAN"),
        ("KS", "SOUTH KOREA"),
        ("KN", "NORTH KOREA"),
        ("TU", "TURKEY"),
        ("EG", "EGYPT"),
        ("IS", "ISRAEL"),
        ("MX", "MEXICO"),
        ("BR", "BRAZIL"),
        ("VE", "VENEZUELA"),
        ("CO", "COLOMBIA"),
        ("SU", "SUDAN"),
        ("SO", "SOMALIA"),
        ("NI", "NIGERIA"),
        ("SF", "SOUTH AFRICA"),
        ("UP", "UKRAINE"),
        ("GG", "GEORGIA"),
        ("SY", "SYRIA"),
        ("LE", "LEBANON"),
        ("SA", "SAUDI ARABIA"),
        ("ID", "INDONESIA"),
        ("SP", "SPAIN"),
        ("IT", "ITALY"),
        ("JO", "JORDAN"),
        ("KU", "KUWAIT"),
        ("CE", "SRI LANKA"),
        ("NL", "NETHERLANDS"),
        ("ZI", "ZIMBABWE"),
        ("TH", "THAILAND"),
        ("CG", "DRC"),
        ("AE", "UAE"),
        ("TX", "TURKMENISTAN"),
        ("VM", "VIETNAM"),
        ("NP", "NEPAL"),
        ("BG", "BANGLADESH"),
        ("HO", "HONDURAS"),
        ("CA", "CANADA"),
        ("BM", "BURMA"),
        ("KE", "KENYA"),
        ("RP", "PHILIPPINES"),
        ("AM", "ARMENIA"),
        ("AU", "AUSTRIA"),
        ("HR", "CROATIA"),
        ("DR", "DOMINICAN REPUBLIC"),
        ("MU", "OMAN"),
        ("BA", "BAHRAIN"),
        ("YM", "YEMEN"),
        ("AJ", "AZERBAIJAN"),
        ("NZ", "NEW ZEALAND"),
        ("CI", "CHILE"),
        ("EC", "ECUADOR"),
        ("ET", "ETHIOPIA"),
        ("KZ", "KAZAKHSTAN"),
        ("PE", "PERU"),
        ("MO", "MOROCCO"),
        ("GR", "GREECE"),
        ("BL", "BOLIVIA"),
        ("UZ", "UZBEKISTAN"),
        ("EZ", "CZECH REPUBLIC"),
        ("NU", "NICARAGUA"),
        ("GT", "GUATEMALA"),
        ("HA", "HAITI"),
        ("TW", "TAIWAN"),
        ("PL", "POLAND"),
        ("AR", "ARGENTINA"),
        ("KG", "KYRGYZSTAN"),
        ("BO", "BELARUS"),
        ("TS", "TUNISIA"),
        ("SR", "SERBIA"),
        ("TI", "TAJIKISTAN"),
        ("BU", "BULGARIA"),
        ("MZ", "MOZAMBIQUE"),
        ("GV", "GUINEA"),
        ("AG", "ALGERIA"),
        ("LY", "LIBYA"),
        ("IV", "COTE D'IVOIRE"),
        ("GH", "GHANA"),
        ("MA", "MADAGASCAR"),
        ("WS", "SAMOA"),
        ("ER", "ERITREA"),
        ("PA", "PARAGUAY"),
        ("BX", "BRUNEI"),
        ("CT", "CAR"),
        ("GA", "THE GAMBIA"),
        ("BH", "BELIZE"),
        ("SZ", "SWITZERLAND"),
        ("LO", "SLOVAKIA"),
        ("CF", "CONGO"),
        ("BB", "BARBADOS"),
        ("RO", "ROMANIA"),
        ("HU", "HUNGARY"),
        ("BY", "BURUNDI"),
        ("AS", "AUSTRALIA"),
        ("MD", "MOLDOVA"),
        ("DA", "DENMARK"),
        ("BN", "BENIN"),
        ("NT", "CURACAO"),
        ("SG", "SENEGAL"),
        ("TZ", "TANZANIA"),
        ("TT", "TIMOR-LESTE"),
        ("DJ", "DJIBOUTI"),
        ("QA", "QATAR"),
        ("EI", "IRELAND"),
        ("SL", "SIERRA LEONE"),
        ("BC", "BOTSWANA"),
        ("GY", "GUYANA"),
        ("GJ", "GRENADA"),
        ("BD", "BERMUDA"),
        ("CU", "CUBA"),
        ("FI", "FINLAND"),
        ("HK", "HONG KONG"),
        ("KWBG", "WEST BANK"),
        ("RW", "RWANDA"),
        ("JM", "JAMAICA"),
        ("FM", "MICRONESIA"),
        ("PS", "PALAU"),
        ("LU", "LUXEMBOURG"),
        ("MI", "MALAWI"),
        ("PO", "PORTUGAL"),
        ("SI", "SLOVENIA"),
        ("TO", "TOGO"),
        ("AO", "ANGOLA"),
        ("ZA", "ZAMBIA"),
        ("RM", "MARSHALL ISLANDS"),
        ("EK", "EQUATORIAL GUINEA"),
        ("LT", "LESOTHO"),
        ("WZ", "SWAZILAND"),
        ("LI", "LIBERIA"),
        ("BF", "BAHAMAS"),
        ("CD", "CHAD"),
        ("NG", "NIGER"),
        ("CY", "CYPRUS"),
        ("MR", "MAURITANIA"),
        ("NO", "NORWAY"),
        ("UV", "BURKINA FASO"),
        ("PM", "PANAMA"),
        ("NS", "SURINAME"),
        ("CB", "CAMBODIA"),
        ("MW", "MONTENEGRO"),
        ("MP", "MAURITIUS"),
        ("PP", "PAPUA NEW GUINEA"),
        ("TD", "TRINIDAD AND TOBAGO"),
        ("CV", "CAPE VERDE"),
        ("KV", "KOSOVO"),
        ("IC", "ICELAND"),
        ("LG", "LATVIA"),
        ("CS", "COSTA RICA"),
        ("ES", "EL SALVADOR"),
        ("SN", "SINGAPORE"),
        ("MK", "MACEDONIA"),
        ("SW", "SWEDEN"),
        ("EN", "ESTONIA"),
        ("MG", "MONGOLIA"),
        ("MT", "MALTA"),
        ("VT", "HOLY SEE"),
        ("LA", "LAOS"),
        ("LH", "LITHUANIA"),
        ("WA", "NAMIBIA"),
        ("CM", "CAMEROON"),
        ("BK", "BOSNIA"),
        ("UG", "UGANDA"),
        ("ML", "MALI"),
        ("FJ", "FIJI"),
        ("AL", "ALBANIA"),
        ("MY", "MALAYSIA"),
    ];
    NAMES
        .iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, n)| *n)
        .unwrap_or("")
}

/// Collective addressees (`RI`, name): no per-addressee count.
pub const COLLECTIVES: &[(&str, &str)] = &[
    ("RUCNMEM", "EU MEMBER STATES COLLECTIVE"),
    ("RUCNCIS", "CIS COLLECTIVE"),
    ("RUCNARF", "ASEAN REGIONAL FORUM COLLECTIVE"),
    ("RUEHZL", "EUROPEAN POLITICAL COLLECTIVE"),
    (
        "RUCNSAD",
        "SOUTH ASIAN ASSOCIATION FOR REGIONAL COOPERATION",
    ),
    ("RUEHZO", "AFRICAN UNION COLLECTIVE"),
    ("RUEHWH", "WESTERN HEMISPHERIC AFFAIRS DIPL POSTS"),
    ("RUEHXK", "ARAB ISRAELI COLLECTIVE"),
    ("RUCNCLS", "ALL SOUTH AND CENTRAL ASIA COLLECTIVE"),
];

/// Agencies in Washington that take information copies (`RI`, PLAD).
pub const AGENCIES: &[(&str, &str)] = &[
    ("RUEAIIA", "CIA WASHDC"),
    ("RHEHNSC", "NSC WASHDC"),
    ("RUEKJCS", "SECDEF WASHDC"),
    ("RHEFDIA", "DIA WASHDC"),
    ("RUEATRS", "DEPT OF TREASURY WASHDC"),
    ("RUCPDOC", "DEPT OF COMMERCE WASHDC"),
    ("RHMFISS", "CDR USCENTCOM MACDILL AFB FL"),
    ("RUEKJCS", "JOINT STAFF WASHDC"),
];

/// Secretaries of State by first year in office: they sign Department cables.
pub const SECRETARIES: &[(i32, &str)] = &[
    (1985, "SHULTZ"),
    (1989, "BAKER"),
    (1993, "CHRISTOPHER"),
    (1997, "ALBRIGHT"),
    (2001, "POWELL"),
    (2005, "RICE"),
    (2009, "CLINTON"),
];

/// Syllables for invented surnames (signers, officials): never real names on
/// purpose, but shaped like them.
pub const SYLLABLES_A: &[&str] = &[
    "BAR", "KEL", "MOR", "DAN", "HAL", "VER", "TOR", "LIN", "GAR", "WES", "BRO", "FEL", "MAR",
    "CAL", "REN", "SOL", "PAR", "DOR", "HAR", "WIL",
];
/// Second syllables for invented surnames.
pub const SYLLABLES_B: &[&str] = &[
    "TON", "LEY", "RICK", "SON", "MAN", "BERG", "FIELD", "WOOD", "LAND", "DEN", "NER", "TEN",
    "WELL", "STON", "VILLE", "MONT", "RIDGE", "HART",
];
/// First names for the classifying officers.
pub const FIRST_NAMES: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "John", "Linda", "Michael", "Barbara", "David", "Susan",
    "Richard", "Karen", "Thomas", "Nancy", "Daniel", "Lisa", "Paul", "Margaret", "Mark", "Sandra",
    "Andrew", "Ellen", "Kevin", "Laura", "Brian", "Julia", "Steven", "Anne",
];
/// Titles of classifying officers at posts.
pub const TITLES: &[&str] = &[
    "Ambassador",
    "Charge d'Affaires",
    "DCM",
    "Political Counselor",
    "Economic Counselor",
    "PolOff",
    "Deputy Chief of Mission",
    "Political/Economic Chief",
];
/// Titles of classifying officers in the Department.
pub const DEPT_TITLES: &[&str] = &[
    "Assistant Secretary",
    "Deputy Assistant Secretary",
    "Office Director",
    "Acting Assistant Secretary",
];
/// Bureaus for passing lines.
pub const BUREAUS: &[&str] = &[
    "EUR/RUS", "EUR/WE", "EUR/CE", "NEA/I", "NEA/ELA", "SCA/A", "SCA/PB", "EAP/CM", "EAP/J",
    "WHA/AND", "WHA/MEX", "AF/E", "AF/W", "INR", "DRL", "ISN", "EEB", "INL", "CA/VO",
];
/// Host-country institutions that appear in the text.
pub const INSTITUTIONS: &[&str] = &[
    "Ministry of Foreign Affairs",
    "Ministry of Finance",
    "Ministry of Defense",
    "Ministry of Interior",
    "Prime Minister's office",
    "presidential administration",
    "central bank",
    "parliamentary foreign affairs committee",
    "electoral commission",
    "national security council",
    "opposition coalition",
    "ruling party",
];
/// Roles of interlocutors.
pub const ROLES: &[&str] = &[
    "Deputy Minister",
    "Director General",
    "senior advisor",
    "department head",
    "spokesman",
    "committee chairman",
    "party leader",
    "chief negotiator",
    "State Secretary",
    "Minister",
];
/// Verbs of reporting.
pub const SAID: &[&str] = &[
    "told",
    "assured",
    "informed",
    "cautioned",
    "reminded",
    "briefed",
];
/// Embassy officers who hear things.
pub const US_SIDE: &[&str] = &[
    "PolOff",
    "EconOff",
    "the Ambassador",
    "the DCM",
    "PolCouns",
    "visiting officials",
    "Emboffs",
];
/// Verbs for future actions.
pub const ACTIONS: &[&str] = &[
    "support",
    "review",
    "postpone",
    "reconsider",
    "expand",
    "limit",
    "announce",
    "delay",
    "finalize",
    "oppose",
    "welcome",
    "revisit",
];
/// Objects of actions.
pub const OBJECTS: &[&str] = &[
    "the draft agreement",
    "its reform package",
    "the new budget",
    "the border arrangements",
    "the pending legislation",
    "the licensing regime",
    "the assistance program",
    "the upcoming elections",
    "the cooperation framework",
    "the sanctions proposal",
    "the regional initiative",
    "the investment project",
];
/// Adjectives for assessments.
pub const ADJECTIVES: &[&str] = &[
    "cautious",
    "optimistic",
    "skeptical",
    "frustrated",
    "pragmatic",
    "guarded",
    "firm",
    "conciliatory",
];
/// Nouns for assessments and subjects.
pub const TOPIC_NOUNS: &[&str] = &[
    "OUTLOOK",
    "CONCERNS",
    "PRIORITIES",
    "DEBATE",
    "PROSPECTS",
    "TENSIONS",
    "PROGRESS",
    "DELAYS",
    "CHALLENGES",
    "DEVELOPMENTS",
];
/// Subject verbs.
pub const SUBJECT_VERBS: &[&str] = &[
    "WEIGHS",
    "SEEKS",
    "PRESSES",
    "QUESTIONS",
    "WELCOMES",
    "RESISTS",
    "SIGNALS",
    "DEFENDS",
];
/// Headings used before some paragraphs (with a dash rule under them).
pub const HEADINGS: &[&str] = &[
    "Background",
    "Next Steps",
    "Economic Picture",
    "Regional Angle",
    "Domestic Politics",
    "Security Situation",
    "Reaction",
];
/// Site boilerplate a scraped copy can end with (our own text).
pub const BOILERPLATE: &[&str] = &[
    "Copyright (c) the republishing site. All rights reserved.",
    "More stories from this section",
    "Related articles",
];

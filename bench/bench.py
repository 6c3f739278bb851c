#!/usr/bin/env python3
"""cablescope benchmark (issue 5 section 3); run through bench/run.sh."""
import argparse, json, os, random, re, sqlite3, shutil, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--count", type=int, required=True)
ap.add_argument("--work", required=True)
ap.add_argument("--per-kind", type=int, default=200)
ap.add_argument("--rg-per-kind", type=int, default=20)
ap.add_argument("--floor", help="the tantivy_floor example binary (bare tantivy: the floor rows)")
ap.add_argument("--search-loop", help="the search_loop example binary (the archive's own search in process, one thread)")
ap.add_argument("--distinct", type=int, default=10000, help="distinct term/phrase queries for the load rows")
a = ap.parse_args()
BIN, W, N, K = a.bin, a.work, a.count, a.per_kind
corpus, archive = os.path.join(W, "corpus"), os.path.join(W, "archive")
truth_path = os.path.join(W, "truth.jsonl")
rows = []  # table rows: (section, what, cablescope, baseline, ratio)


def log(*m):
    print(*m, file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def wall(cmds):
    """Start the commands together, wait for all; wall seconds."""
    t = time.perf_counter()
    ps = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, shell=isinstance(c, str)) for c in cmds]
    for p in ps:
        p.wait()
    return time.perf_counter() - t


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))]


def ms(x):
    return f"{x * 1000:.1f} ms"


PARA = re.compile(r"^\s*\d+\.\s+\(", re.M)


def body_text(txt):
    """The text cablescope indexes as free text, as near as a script can tell: from the
    first numbered paragraph on, without upper-case lines (signatures, section breaks,
    captions, which cablescope files under their own fields)."""
    mm = PARA.search(txt)
    if not mm:
        return ""
    return "\n".join(l for l in txt[mm.start():].splitlines() if l != l.upper())


# --- corpus -------------------------------------------------------------------
log(f"generating {N} cables...")
t = time.perf_counter()
run([BIN, "generate", "--count", str(N), "--out", corpus], stdout=subprocess.DEVNULL)
gen_s = time.perf_counter() - t
shutil.move(os.path.join(corpus, "truth.jsonl"), truth_path)
files = []
for d, _, fs in os.walk(corpus):
    for f in fs:
        files.append(os.path.join(d, f))
files.sort()
raw_bytes = sum(os.path.getsize(f) for f in files)
MB = raw_bytes / 1e6
truth = [json.loads(l) for l in open(truth_path)]
ncables = len(truth)

# --- parse throughput ---------------------------------------------------------
# two halves: the year/month folders split greedily by bytes, so each process gets
# whole folders (argument lists stay short at 251,287 files)
groups = {}
for f in files:
    g = os.path.dirname(f)
    groups[g] = groups.get(g, 0) + os.path.getsize(f)
halves, hb = [[], []], [0, 0]
for g, b in sorted(groups.items(), key=lambda x: -x[1]):
    i = 0 if hb[0] <= hb[1] else 1
    halves[i].append(g); hb[i] += b
log("parse throughput...")
cat1 = f"find {corpus} -type f -print0 | xargs -0 cat"
cat2 = [f"find {' '.join(h)} -type f -print0 | xargs -0 cat" for h in halves]
wall([cat1])  # warm the page cache
best = lambda f, n=2: min(f() for _ in range(n))
t_cat1 = best(lambda: wall([cat1]))
t_cat2 = best(lambda: wall(cat2))
t_p1 = best(lambda: wall([[BIN, "parse", "--no-merge", "-q", corpus]]))
t_p2 = best(lambda: wall([[BIN, "parse", "--no-merge", "-q", *h] for h in halves]))
for procs, tp, tc in ((1, t_p1, t_cat1), (2, t_p2, t_cat2)):
    rows.append(("parse", f"`parse --no-merge -q`, {procs} process{'es' if procs > 1 else ''} (MB/s)",
                 f"{MB / tp:,.1f}", f"cat: {MB / tc:,.0f}", f"{tc / tp:.3f}x"))
    rows.append(("parse", f"`parse --no-merge -q`, {procs} process{'es' if procs > 1 else ''} (cables/s)",
                 f"{ncables / tp:,.0f}", f"cat: {ncables / tc:,.0f}", ""))

# --- ingest -------------------------------------------------------------------
log("ingest...")
tf = os.path.join(W, "ingest.time")
t = time.perf_counter()
out = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", tf, BIN, "ingest", "--archive", archive,
                      "--format", "json", corpus], capture_output=True, text=True)
t_ing = time.perf_counter() - t
summ = json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {}
rss_kb = int(open(tf).read().split()[-1])
arch_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(archive) for f in fs)
rows += [
    ("ingest", f"wall time ({summ.get('cables_written', '?'):,} cables written, {summ.get('files_failed', '?')} files failed)", f"{t_ing:.1f} s", "", ""),
    ("ingest", "cables/s", f"{ncables / t_ing:,.0f}", "", ""),
    ("ingest", "peak RSS (/usr/bin/time %M)", f"{rss_kb / 1024:,.0f} MiB", "", ""),
    ("ingest", "archive size vs raw size", f"{arch_bytes / 1e6:,.0f} MB vs {MB:,.0f} MB",
     "", f"{arch_bytes / raw_bytes:.2f}x raw"),
]

# --- floor: bare tantivy indexing the same paragraph text -----------------------
floor_ix = None
if a.floor:
    log("floor: bare tantivy indexing the same paragraph text (2 threads, positions, one commit)...")
    docs = os.path.join(W, "floor-docs.jsonl")
    with open(docs, "w") as f:
        for r in truth:
            body = body_text(open(os.path.join(corpus, r["file"]), encoding="utf-8", errors="replace").read())
            f.write(json.dumps({"id": r["id"], "text": body}) + "\n")
    floor_dir = os.path.join(W, "floor-index")
    t = time.perf_counter()
    out = run([a.floor, "index", docs, floor_dir, "2"], capture_output=True, text=True).stdout
    floor_ix = json.loads(out.strip().splitlines()[-1])
    rows.append(("ingest", "vs bare tantivy indexing the same paragraph text (2 threads, positions, one commit; no parsing, store or clearance)",
                 f"{t_ing:.1f} s", f"tantivy: {floor_ix['seconds']:.1f} s", f"{t_ing / floor_ix['seconds']:.1f}x"))
    rows.append(("ingest", "archive size vs the bare tantivy index of the paragraph text", f"{arch_bytes / 1e6:,.0f} MB",
                 f"tantivy: {floor_ix['bytes'] / 1e6:,.0f} MB", f"{arch_bytes / floor_ix['bytes']:.2f}x"))

# --- SQLite FTS5 baseline -----------------------------------------------------
opts = [r[0] for r in sqlite3.connect(":memory:").execute("PRAGMA compile_options")]
have_fts5 = "ENABLE_FTS5" in opts
db = None
t_fts_build = None
if have_fts5:
    log("building the FTS5 baseline...")
    dbp = os.path.join(W, "fts5.db")
    db = sqlite3.connect(dbp)
    t = time.perf_counter()
    db.executescript("""
      CREATE TABLE meta(rowid INTEGER PRIMARY KEY, id TEXT, created TEXT, origin TEXT, classification TEXT);
      CREATE TABLE ctag(rowid INTEGER, tag TEXT);
      CREATE VIRTUAL TABLE fts USING fts5(body, subject, origin, tags, classification);
    """)
    for i, r in enumerate(truth, 1):
        body = body_text(open(os.path.join(corpus, r["file"]), encoding="utf-8", errors="replace").read())
        st = (r.get("origin") or {}).get("station") or ""
        tags = r.get("tags") or []
        db.execute("INSERT INTO meta VALUES(?,?,?,?,?)", (i, r["id"], r.get("created") or "", st, r.get("classification") or ""))
        db.executemany("INSERT INTO ctag VALUES(?,?)", [(i, tg) for tg in tags])
        db.execute("INSERT INTO fts(rowid, body, subject, origin, tags, classification) VALUES(?,?,?,?,?,?)",
                   (i, body, r.get("subject") or "", st, " ".join(tags), r.get("classification") or ""))
    db.executescript("CREATE INDEX ctag_r ON ctag(rowid); CREATE INDEX meta_c ON meta(created);")
    db.commit()
    t_fts_build = time.perf_counter() - t
    db.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(fts, 'row')")

# --- queries (deterministic, from the corpus's words and fields) -------------
rnd = random.Random(20261128)
STOP = set("that this with from have been were will would could should their there which about after other into than them they what when while also said says".split())
sample = rnd.sample(truth, min(3000, len(truth)))
words, phrases = [], []
wre = re.compile(r"^[a-z]{4,}$")
for r in sample:
    txt = body_text(open(os.path.join(corpus, r["file"]), encoding="utf-8", errors="replace").read())
    for line in txt.splitlines():
        clean = [w.lower() for w in line.split()]
        for j in range(len(clean) - 2):
            tri = clean[j:j + 3]
            if all(wre.match(w) for w in tri):
                phrases.append(" ".join(tri[: 2 + (j % 2)]))
        words += [w for w in clean if wre.match(w) and w not in STOP]
words = sorted(set(words)); phrases = sorted(set(phrases))
terms = [rnd.choice(words) for _ in range(K)]
phr = [rnd.choice(phrases) for _ in range(K)]
with_fields = [r for r in truth if (r.get("origin") or {}).get("station") and r.get("tags")]
fielded = []
for _ in range(K):
    r = rnd.choice(with_fields)
    fielded.append((rnd.choice(r["tags"]), r["origin"]["station"]))
alltags = sorted({tg for r in with_fields for tg in r["tags"]})
facet_tags = [rnd.choice(alltags) for _ in range(K)]
date_terms = [rnd.choice(words) for _ in range(K)]
deep_words = []
DEPTH = 1000
if db is not None:
    deep_words = [w for (w,) in db.execute("SELECT term FROM vocab WHERE doc >= ? AND length(term) >= 4 AND term GLOB '[a-z]*' ORDER BY term", (DEPTH + 100,))
                  if w not in STOP and wre.match(w)]
if not deep_words:
    deep_words = words[:50]
deep = [rnd.choice(deep_words) for _ in range(K)]

kinds = {
    "term": [(t, t, f'"{t}"') for t in terms],
    "phrase": [(f'"{p}"', p, f'"{p}"') for p in phr],
    "fielded": [(f"tag:{tg} origin:{st}", None, f'tags:"{tg}" AND origin:"{st}"') for tg, st in fielded],
    "facets": [(f"tag:{tg}", None, f'tags:"{tg}"') for tg in facet_tags],
    "date-sorted": [(t, None, f'"{t}"') for t in date_terms],
    "deep page": [(t, None, f'"{t}"') for t in deep],
}

# --- cablescope search through a long-lived server (HTTP, keep-alive) -------
import http.client, socket, urllib.parse


def free_port():
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def start_server():
    """`cablescope serve` on a free port, once `/healthz` answers; (process, port)."""
    port = free_port()
    proc = subprocess.Popen([BIN, "serve", "--archive", archive, "--addr", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5); c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.1)
    sys.exit("the server did not start")


server, PORT = start_server()
conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)


def api_path(q, sort=None, cursor=None, limit=20, full=False):
    """`/api/search` for `q`; `full`: with facets and snippets, as the web page asks."""
    params = {"q": q, "limit": str(limit)}
    if full:
        params["facets"] = "all"
        params["snippets"] = "true"
    if sort:
        params["sort"] = sort
    if cursor:
        params["cursor"] = cursor
    return "/api/search?" + urllib.parse.urlencode(params)


def api(path):
    t = time.perf_counter()
    conn.request("GET", path)
    r = conn.getresponse(); body = r.read()
    return time.perf_counter() - t, r.status, body


def cs(q, extra=()):
    """One whole CLI process (for the ripgrep comparison: both are processes)."""
    t = time.perf_counter()
    p = subprocess.run([BIN, "search", "--archive", archive, q, "--format", "json", *extra], capture_output=True)
    return time.perf_counter() - t, p


floor = []
for _ in range(K):
    t = time.perf_counter(); subprocess.run([BIN, "--version"], capture_output=True); floor.append(time.perf_counter() - t)
http_floor = [api("/healthz")[0] for _ in range(K)]

res, errors, paths = {}, {}, {}
log("cablescope search (server)...")
for kind, qs in kinds.items():
    lat, err, empty, notdeep, ps = [], 0, 0, 0, []
    for q, _, _ in qs:
        sort = "-date" if kind == "date-sorted" else None
        cursor = None
        if kind == "deep page":
            # Walk to hit 1,000 in pages of 100 (untimed), then time the next page.
            for _ in range(DEPTH // 100):
                _, st, body = api(api_path(q, cursor=cursor, limit=100))
                cursor = json.loads(body).get("next_cursor") if st == 200 else None
                if not cursor:
                    break
            if not cursor:
                notdeep += 1
                continue
        path = api_path(q, sort=sort, cursor=cursor, full=(kind == "facets"))
        dt, st, body = api(path)
        if st != 200:
            err += 1
            continue
        if json.loads(body).get("total", 0) == 0:
            empty += 1
        lat.append(dt); ps.append(path)
    res[kind] = lat
    errors[kind] = (err, empty, notdeep)
    paths[kind] = ps

cli = {}
for kind in ("term", "phrase"):
    cli[kind] = [cs(q)[0] for q, _, _ in kinds[kind][: a.rg_per_kind]]

# --- server under 32 concurrent clients (wrk), every kind's requests mixed ------
wrk = shutil.which("wrk")
load = {}
if wrk:
    log("server load (wrk, 32 connections)...")
    mixed = [p for kind in kinds for p in paths[kind]]
    random.Random(7).shuffle(mixed)
    lua = os.path.join(W, "paths.lua")
    with open(lua, "w") as f:
        f.write("local paths = {" + ",".join(json.dumps(p) for p in mixed) + "}\n")
        f.write("local i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n")

    def run_wrk(extra):
        out = subprocess.run([wrk, "-t2", "-c32", "-d20s", "--latency", *extra], capture_output=True, text=True).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        m = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
        p99 = float(m.group(1)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[m.group(2)]
        errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return rps, p99, int(errs.group(1)) if errs else 0, out
    load["search"] = run_wrk(["-s", lua, f"http://127.0.0.1:{PORT}"])
    load["healthz"] = run_wrk([f"http://127.0.0.1:{PORT}/healthz"])
    # Distinct queries, each asked about once: no cache can stand in for search.
    distinct = []
    if a.floor:
        pool = [w for w in words] + [f'"{p}"' for p in phrases]
        random.Random(11).shuffle(pool)
        distinct = pool[: a.distinct]
        qfile = os.path.join(W, "distinct-queries.txt")
        with open(qfile, "w") as f:
            f.write("\n".join(distinct) + "\n")
        dlua = os.path.join(W, "distinct.lua")

        def write_lua(path, token=None, full=False):
            with open(path, "w") as f:
                f.write("local paths = {" + ",".join(json.dumps(api_path(q, full=full)) for q in distinct) + "}\n")
                if token:
                    f.write(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
                f.write("local i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n")
        write_lua(dlua)
        log(f"server load on {len(distinct):,} distinct term and phrase queries (open archive)...")
        load["distinct"] = run_wrk(["-s", dlua, f"http://127.0.0.1:{PORT}"])
        flua = os.path.join(W, "distinct-full.lua")
        write_lua(flua, full=True)
        log("the same with facets and snippets (the web page's request)...")
        load["distinct-full"] = run_wrk(["-s", flua, f"http://127.0.0.1:{PORT}"])
server.terminate(); server.wait()

# --- the same distinct queries: a restricted reader, and bare tantivy -----------
floor_q = None
loop_q = None
if a.floor and wrk and distinct:
    log("floor: bare tantivy answering the same distinct queries on one thread...")
    out = run([a.floor, "search", floor_dir, qfile], capture_output=True, text=True).stdout
    floor_q = json.loads(out.strip().splitlines()[-1])
    if a.search_loop:
        log("the archive's own search, in process, on one thread, the same queries...")
        out = run([a.search_loop, archive, qfile], capture_output=True, text=True).stdout
        loop_q = json.loads(out.strip().splitlines()[-1])
    # A reader cleared C without NOFORN: the archive is closed from here on.
    tok = run([BIN, "users", "add", "bench-c", "--clearance", "C", "--archive", archive],
              capture_output=True, text=True).stdout.strip()
    server, PORT2 = start_server()
    rlua = os.path.join(W, "distinct-c.lua")
    write_lua(rlua, tok)
    log("server load on the same queries, reader cleared C without NOFORN...")
    load["distinct-c"] = run_wrk(["-s", rlua, f"http://127.0.0.1:{PORT2}"])
    server.terminate(); server.wait()

# --- FTS5 queries (in-process, Python sqlite3) --------------------------------
def fts_run(kind, m):
    cnt = db.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (m,)).fetchone()[0]
    if kind == "date-sorted":
        db.execute("SELECT meta.id FROM fts JOIN meta ON meta.rowid = fts.rowid WHERE fts MATCH ? ORDER BY meta.created DESC LIMIT 20", (m,)).fetchall()
    elif kind == "deep page":
        db.execute("SELECT meta.id FROM fts JOIN meta ON meta.rowid = fts.rowid WHERE fts MATCH ? ORDER BY fts.rank, fts.rowid LIMIT 20 OFFSET ?", (m, DEPTH)).fetchall()
    else:
        db.execute("SELECT meta.id, snippet(fts, 0, '[', ']', '...', 12) FROM fts JOIN meta ON meta.rowid = fts.rowid WHERE fts MATCH ? ORDER BY fts.rank LIMIT 20", (m,)).fetchall()
    if kind == "facets":
        sub = "SELECT rowid FROM fts WHERE fts MATCH ?"
        for col in ("origin", "classification", "substr(created,1,4)", "substr(created,1,7)"):
            db.execute(f"SELECT {col}, count(*) FROM meta WHERE rowid IN ({sub}) GROUP BY 1 ORDER BY 2 DESC", (m,)).fetchall()
        db.execute(f"SELECT tag, count(*) FROM ctag WHERE rowid IN ({sub}) GROUP BY 1 ORDER BY 2 DESC LIMIT 20", (m,)).fetchall()
    return cnt


fres = {}
if db is not None:
    log("FTS5 queries...")
    for kind, qs in kinds.items():
        lat = []
        for _, _, m in qs:
            t = time.perf_counter(); fts_run(kind, m); lat.append(time.perf_counter() - t)
        fres[kind] = lat

# --- ripgrep over the raw files (term, phrase; 20 each) -----------------------
rg = shutil.which("rg")
rres = {}
if rg:
    log("ripgrep...")
    for kind, flags in (("term", ["-w"]), ("phrase", [])):
        lat = []
        for _, raw, _ in kinds[kind][: a.rg_per_kind]:
            t = time.perf_counter()
            subprocess.run([rg, "-l", "-i", "-F", *flags, raw, corpus], stdout=subprocess.DEVNULL)
            lat.append(time.perf_counter() - t)
        rres[kind] = lat

for kind in kinds:
    lat = res[kind]
    err, empty, notdeep = errors[kind]
    if not lat:
        rows.append(("search", f"{kind}: no query ran ({err} errors, {notdeep} without a page {DEPTH + 1}+)", "", "", "")); continue
    p50, p99 = pct(lat, 50), pct(lat, 99)
    note = f"{kind} (n={len(lat)}" + (f", {empty} empty" if empty else "") + (f", {err} errors" if err else "") + \
        (f", {notdeep} skipped: < {DEPTH + 1} hits" if notdeep else "") + (f", page after hit {DEPTH}" if kind == "deep page" else "") + ") p50 / p99"
    if fres:
        f50, f99 = pct(fres[kind], 50), pct(fres[kind], 99)
        rows.append(("search", note, f"{ms(p50)} / {ms(p99)}", f"FTS5: {ms(f50)} / {ms(f99)}", f"{p50 / f50:.1f}x / {p99 / f99:.1f}x"))
    else:
        rows.append(("search", note, f"{ms(p50)} / {ms(p99)}", "FTS5: not available (no ENABLE_FTS5)", ""))
    if kind in rres:
        c = cli[kind]
        r50, r99 = pct(rres[kind], 50), pct(rres[kind], 99)
        rows.append(("search", f"{kind}, first {len(c)} queries, one CLI process each, p50 / p99", f"{ms(pct(c, 50))} / {ms(pct(c, 99))}",
                     f"rg: {ms(r50)} / {ms(r99)}", f"{pct(c, 50) / r50:.2f}x / {pct(c, 99) / r99:.2f}x"))
    elif kind in ("term", "phrase"):
        rows.append(("search", f"{kind} vs ripgrep", "", "rg not available", ""))
rows.append(("search", "HTTP floor: `GET /healthz` on the same connection, p50 / p99", f"{ms(pct(http_floor, 50))} / {ms(pct(http_floor, 99))}", "", ""))
rows.append(("search", "process start floor: `cablescope --version` p50 / p99", f"{ms(pct(floor, 50))} / {ms(pct(floor, 99))}", "", ""))
if load:
    rps, p99, errs, _ = load["search"]
    hrps, hp99, _, _ = load["healthz"]
    rows.append(("server", f"search requests/s, 32 concurrent clients, all kinds mixed ({errs} non-2xx)", f"{rps:,.0f} req/s", f"/healthz: {hrps:,.0f} req/s", f"{rps / hrps:.3f}x"))
    rows.append(("server", "search p99 latency, 32 concurrent clients", ms(p99), f"/healthz: {ms(hp99)}", f"{p99 / hp99:.1f}x"))
    if floor_q and loop_q:
        rows.append(("search", f"{len(distinct):,} distinct term/phrase queries, in process (no HTTP), 1 thread, open archive: q/s",
                     f"{loop_q['qps']:,.0f} q/s (p50 {loop_q['p50_ms']:.2f} ms, p99 {loop_q['p99_ms']:.1f} ms)",
                     f"bare tantivy, 1 thread: {floor_q['qps']:,.0f} q/s (p50 {floor_q['p50_ms']:.2f} ms)", f"{loop_q['qps'] / floor_q['qps']:.2f}x"))
    if floor_q:
        for key, who in (("distinct", "open archive"),
                         ("distinct-full", "open archive, with facets=all&snippets=true"),
                         ("distinct-c", "reader C without NOFORN")):
            if key in load:
                drps, dp99, derrs, _ = load[key]
                rows.append(("server", f"{len(distinct):,} distinct term/phrase queries, 32 clients, {who} ({derrs} non-2xx): req/s",
                             f"{drps:,.0f} req/s", f"bare tantivy, 1 thread: {floor_q['qps']:,.0f} q/s", f"{drps / floor_q['qps']:.2f}x"))
                rows.append(("server", f"the same, p99 ({who})", ms(dp99), f"bare tantivy p99: {floor_q['p99_ms']:.1f} ms", ""))
else:
    rows.append(("server", "requests/s and p99 under 32 concurrent clients", "wrk not installed (apt-get install wrk)", "", ""))

# --- table --------------------------------------------------------------------
print(f"cablescope benchmark: {ncables:,} generated cables in {len(files):,} files, {MB:,.1f} MB raw "
      f"(generated in {gen_s:.1f} s); archive {archive}")
print()
print("| section | measure | cablescope | baseline | ratio |")
print("|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
print()
print("Notes:")
print("- parse ratio = cablescope MB/s ÷ cat MB/s over the same files; one `parse` process parses files of up to 8 MB on every core (cat reads on one); 2 processes = the year/month folders split in two halves by bytes, run at once; best of 2 runs, page cache warm.")
print("- search: cablescope figures are `GET /api/search` requests to one long-lived `cablescope serve` process over one keep-alive connection "
      "(HTTP floor row above), limit 20, no snippets, facets (`facets=all`) only in the facets kind; the ripgrep rows compare whole processes with whole processes.")
print("- server: wrk -t2 -c32 -d20s replaying every timed search request above in a shuffled loop, against the same server; baseline = /healthz under the same load "
      "(the HTTP floor of this machine). Client and server share the 2 cores.")
print("- search ratio = cablescope ÷ baseline (above 1: cablescope slower). FTS5 runs in-process (Python sqlite3, " + sqlite3.sqlite_version + ", body = the same paragraph text" +
      (", ENABLE_FTS5 present" if have_fts5 else ", ENABLE_FTS5 ABSENT") + (f", table built in {t_fts_build:.1f} s" if t_fts_build else "") +
      ") with no process start: top 20 by rank (date-sorted: by created desc; deep page: OFFSET 1000) plus count(*); facets kind adds the same group-bys.")
print("- queries: term/date-sorted = one word from the cables' paragraph text (upper-case lines left out: signatures, section breaks); phrase = 2-3 consecutive words from one line; fielded = `tag:T origin:STATION` from one cable's truth; "
      "facets = `tag:T`; deep page = a word in > 1,100 cables, the page after hit 1,000, reached with cursors in pages of 100 (not timed). Seeded, same on every run.")
print("- ripgrep: `rg -l -i -F [-w]` over the raw files, one process per query; it finds a phrase only within one line, and does no ranking, facets or fields.")
print("- floor rows: `crates/archive/examples/tantivy_floor.rs`, the same tantivy version and default tokenizer, indexing only each cable's paragraph text (as the FTS5 baseline) and answering the "
      "distinct queries on one thread (top 20 by BM25 + count, no facets, snippets, HTTP or clearance). The distinct-query rows ask each of N different words and phrases about once "
      "(wrk loops over the list in order), through HTTP as the API answers by default (no facets or snippets; one row asks for both, as the web page does); ratio = cablescope req/s ÷ bare tantivy q/s (aim ≥ 1 open, ≥ 0.7 restricted).")

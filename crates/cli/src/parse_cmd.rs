//! `cablescope parse`: files, folders and archives in, JSON records out.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use cablescope_collect::{walk, Event, Limits};
use cablescope_format::assemble::assemble;
use cablescope_format::containers::{read_stream, ReadError, ReadOptions};
use cablescope_format::Cable;
use clap::{Args, ValueEnum};

/// Output layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// Indented JSON, one object after another.
    Pretty,
}

/// Arguments of `cablescope parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The cable's id, for text that does not carry it (any written form:
    /// "08 MOSCOW 01599" becomes 08MOSCOW1599).
    #[arg(long)]
    id: Option<String>,
    /// The cable's year, for text that does not carry it (a REF line needs the
    /// citing cable's year).
    #[arg(long, value_parser = clap::value_parser!(i32).range(1900..=2100))]
    year: Option<i32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Print every copy as found, without joining sections or merging copies of one
    /// cable. Records then stream out in bounded memory (merging must see every
    /// copy first, so it holds records until the end).
    #[arg(long)]
    no_merge: bool,
    /// Never take a record's id from its file name. By default a file named like a
    /// cable id (`03ABUDHABI2641.txt`) gives the id of a record whose text gives
    /// none (with an `id_from_file_name` diagnostic).
    #[arg(long)]
    no_file_name_ids: bool,
    /// No summary on standard error.
    #[arg(long, short)]
    quiet: bool,
    /// Files, folders or archives (.gz, .zip, .tar, .tar.gz) to read; `-` or nothing
    /// reads standard input.
    files: Vec<PathBuf>,
}

/// Files up to this size are read whole and parsed on a worker thread, one per core;
/// larger ones, and streams of unknown size (a gzip member, standard input), are
/// parsed on the walking thread as they stream, so that a 2 GB `cables.csv` still
/// runs in a few MB.
const PARALLEL_MAX_BYTES: u64 = 8 << 20;

/// Counts for the closing summary.
#[derive(Default)]
struct Summary {
    files: usize,
    per_format: BTreeMap<&'static str, usize>,
    errors: usize,
}

/// What reading one file gave: its records and item errors in order, then the
/// error that stopped the reading, if any.
struct FileRead {
    name: String,
    items: Vec<Result<Cable, ReadError>>,
    failed: Option<ReadError>,
}

impl FileRead {
    /// Reads every record of one input (whole or streaming: `read_stream` does not
    /// care).
    fn of(name: String, input: &mut dyn Read, opts: &ReadOptions) -> FileRead {
        let mut items = Vec::new();
        let failed = read_stream(&name, input, opts, &mut |r| items.push(r)).err();
        FileRead {
            name,
            items,
            failed,
        }
    }
}

/// Where records go, in the order of the inputs: standard output at once
/// (`--no-merge`) or held for merging; errors to standard error.
struct Sink<W: Write> {
    out: W,
    format: Format,
    merge: bool,
    summary: Summary,
    held: Vec<Cable>,
    write_error: Option<io::Error>,
}

impl<W: Write> Sink<W> {
    fn take(&mut self, f: FileRead) {
        for r in f.items {
            match r {
                Ok(c) => {
                    *self.summary.per_format.entry(format_name(&c)).or_default() += 1;
                    if self.merge {
                        self.held.push(c);
                    } else if self.write_error.is_none() {
                        if let Err(e) = write_record(&mut self.out, &c, self.format) {
                            self.write_error = Some(e);
                        }
                    }
                }
                Err(e) => self.error(&format!("{}: {e}", f.name)),
            }
        }
        if let Some(e) = f.failed {
            self.error(&format!("{}: {e}", f.name));
        }
    }

    fn error(&mut self, message: &str) {
        self.summary.errors += 1;
        eprintln!("cablescope: error: {message}");
    }
}

/// Files read whole, parsed on worker threads in chunks, and handed back in the
/// order they were read, with at most `limit` chunks in flight (bounded memory).
///
/// Why chunks: a file takes about 80 µs to parse, and handing one file to a worker
/// and back costs thread wake-ups of the same order on a VM; a chunk of files pays
/// them once.
struct Pool {
    jobs: SyncSender<(u64, Chunk)>,
    done: Receiver<(u64, Vec<FileRead>)>,
    ready: BTreeMap<u64, Vec<FileRead>>,
    /// The files read and not yet sent.
    chunk: Chunk,
    chunk_bytes: usize,
    sent: u64,
    taken: u64,
    limit: u64,
}

/// Files read whole: name and bytes.
type Chunk = Vec<(String, Vec<u8>)>;

/// A chunk is sent when it holds this many files or bytes.
const CHUNK_FILES: usize = 64;
const CHUNK_BYTES: usize = 1 << 20;

impl Pool {
    fn add<W: Write>(&mut self, name: String, bytes: Vec<u8>, sink: &mut Sink<W>) {
        self.chunk_bytes += bytes.len();
        self.chunk.push((name, bytes));
        if self.chunk.len() >= CHUNK_FILES || self.chunk_bytes >= CHUNK_BYTES {
            self.send(sink);
        }
    }

    fn send<W: Write>(&mut self, sink: &mut Sink<W>) {
        if self.chunk.is_empty() {
            return;
        }
        while self.sent - self.taken >= self.limit {
            self.wait_one(sink);
        }
        let chunk = std::mem::take(&mut self.chunk);
        self.chunk_bytes = 0;
        // The workers live as long as the pool's scope: a send fails only if one
        // panicked, and the scope then re-raises that panic.
        let _ = self.jobs.send((self.sent, chunk));
        self.sent += 1;
        self.take_ready(sink);
    }

    /// Hands the sink every chunk whose predecessors are all done.
    fn take_ready<W: Write>(&mut self, sink: &mut Sink<W>) {
        while let Ok((seq, f)) = self.done.try_recv() {
            self.ready.insert(seq, f);
        }
        while let Some(files) = self.ready.remove(&self.taken) {
            for f in files {
                sink.take(f);
            }
            self.taken += 1;
        }
    }

    /// Waits for the next chunk in order and hands it to the sink.
    fn wait_one<W: Write>(&mut self, sink: &mut Sink<W>) {
        while !self.ready.contains_key(&self.taken) {
            match self.done.recv() {
                Ok((seq, f)) => {
                    self.ready.insert(seq, f);
                }
                Err(_) => return,
            }
        }
        self.take_ready(sink);
    }

    /// Hands the sink every file read so far.
    fn drain<W: Write>(&mut self, sink: &mut Sink<W>) {
        self.send(sink);
        while self.taken < self.sent {
            let before = self.taken;
            self.wait_one(sink);
            if self.taken == before {
                break;
            }
        }
    }
}

/// One file read by a worker. A panic would leave its file's place in the order
/// empty and the walk waiting for it: it becomes that file's error instead (the
/// panic message is on standard error already).
fn read_whole(name: String, bytes: &[u8], opts: &ReadOptions) -> FileRead {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        FileRead::of(name.clone(), &mut &bytes[..], opts)
    }))
    .unwrap_or_else(|_| FileRead {
        name,
        items: Vec::new(),
        failed: Some(ReadError::Io(
            "internal error: reading this file panicked (a bug; please report it)".into(),
        )),
    })
}

/// Runs `cablescope parse`: exit status 0 when every input was read, 1 otherwise.
pub fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    let inputs = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let stdout = io::stdout();
    let opts = ReadOptions {
        id: args.id.clone(),
        year: args.year,
        file_name_ids: !args.no_file_name_ids,
        ..ReadOptions::default()
    };
    let mut sink = Sink {
        out: BufWriter::new(stdout.lock()),
        format: args.format,
        merge: !args.no_merge,
        summary: Summary::default(),
        held: Vec::new(),
        write_error: None,
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());

    std::thread::scope(|scope| {
        let (jobs, job_rx) = sync_channel::<(u64, Chunk)>(threads);
        let (done_tx, done) = channel::<(u64, Vec<FileRead>)>();
        let job_rx = Arc::new(Mutex::new(job_rx));
        for _ in 0..threads {
            let (rx, tx, opts) = (Arc::clone(&job_rx), done_tx.clone(), &opts);
            scope.spawn(move || loop {
                let job = match rx.lock() {
                    Ok(guard) => guard.recv(),
                    Err(_) => return,
                };
                let Ok((seq, chunk)) = job else { return };
                let reads = chunk
                    .into_iter()
                    .map(|(name, bytes)| read_whole(name, &bytes, opts))
                    .collect();
                if tx.send((seq, reads)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let mut pool = Pool {
            jobs,
            done,
            ready: BTreeMap::new(),
            chunk: Vec::new(),
            chunk_bytes: 0,
            sent: 0,
            taken: 0,
            limit: threads as u64 * 2,
        };
        walk(&inputs, &Limits::default(), &mut |event| match event {
            Event::File(mut entry) => {
                let name = entry.path().to_string();
                sink.summary.files += 1;
                if entry.size().is_some_and(|s| s <= PARALLEL_MAX_BYTES) {
                    let mut bytes = Vec::new();
                    // A file that could not be read whole (changed while read, too
                    // large, an I/O error) is reported by the walk itself.
                    if entry.read_to_end_capped(&mut bytes).is_ok() {
                        pool.add(name, bytes, &mut sink);
                    }
                } else {
                    // Streamed here, after every file before it.
                    pool.drain(&mut sink);
                    sink.take(FileRead::of(name, &mut entry, &opts));
                }
            }
            Event::Problem(p) => sink.error(&p.to_string()),
        });
        pool.drain(&mut sink);
        // Closing the job channel ends the workers.
        drop(pool);
    });

    let Sink {
        mut out,
        summary,
        held,
        mut write_error,
        ..
    } = sink;
    if !args.no_merge {
        for c in assemble(held) {
            if write_error.is_some() {
                break;
            }
            if let Err(e) = write_record(&mut out, &c, args.format) {
                write_error = Some(e);
            }
        }
    }
    if let Some(e) = write_error {
        return broken_pipe_or(e);
    }
    if let Err(e) = out.flush() {
        return broken_pipe_or(e);
    }
    let several = summary.files > 1 || inputs.iter().any(|p| p.is_dir());
    if several && !args.quiet {
        let per: Vec<String> = summary
            .per_format
            .iter()
            .map(|(f, n)| format!("{n} {f}"))
            .collect();
        eprintln!(
            "cablescope: {} files read, {} cables found ({}), {} errors",
            summary.files,
            summary.per_format.values().sum::<usize>(),
            if per.is_empty() {
                "none".to_string()
            } else {
                per.join(", ")
            },
            summary.errors
        );
    }
    Ok(if summary.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn format_name(c: &Cable) -> &'static str {
    match c.source.format.as_str() {
        "telegram" => "telegram",
        "wikileaks-html-2011" => "wikileaks-html-2011",
        "wikileaks-html-2010" => "wikileaks-html-2010",
        "cables-csv" => "cables-csv",
        "json-export" => "json-export",
        "body-text" => "body-text",
        "plusd-html" => "plusd-html",
        "republished-page" => "republished-page",
        _ => "other",
    }
}

fn write_record(out: &mut impl Write, c: &Cable, format: Format) -> io::Result<()> {
    match format {
        Format::Jsonl => serde_json::to_writer(&mut *out, c)?,
        Format::Pretty => serde_json::to_writer_pretty(&mut *out, c)?,
    }
    writeln!(out)
}

fn broken_pipe_or(e: io::Error) -> anyhow::Result<ExitCode> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(e).context("writing to standard output")
    }
}

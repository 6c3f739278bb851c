//! Find every file inside folders, files, standard input and archives, and
//! stream each one's bytes to a visitor.
//!
//! `cablescope-collect` does no cable parsing. It walks its inputs, opens the
//! archives it finds (recognised by their first bytes, not by their names),
//! and hands every file it meets to a callback as an [`Entry`]: a virtual
//! path, the declared size when one is known, and a streaming reader over the
//! content. Whatever goes wrong (a missing path, a permission error, a
//! symlink loop, a truncated or corrupt archive, a zip bomb, nesting that is
//! too deep) is reported as an [`Event::Problem`] for that one path, and the
//! walk goes on with the next one: hostile input is never fatal.
//!
//! # Formats
//!
//! | format | recognised by | notes |
//! | --- | --- | --- |
//! | gzip | `1f 8b 08` | concatenated members are read as one stream; a `.gz` of a plain file yields it as `name` without `.gz` (`.tgz` becomes `.tar`) |
//! | zip | `PK\x03\x04` or `PK\x05\x06` | stored and deflate entries; on disk the file is opened directly, nested zips are buffered up to [`Limits::max_zip_buffer_bytes`] and streamed from their local headers past that |
//! | tar | `ustar` at offset 257, or a valid v7 header checksum | ustar, GNU and pax; `.tar.gz`/`.tgz` is a gzip whose content is sniffed as tar |
//!
//! Directories, symlinks and hard links inside archives have no content of
//! their own and are not yielded (a hard link's target is yielded under its
//! own name). A file whose first bytes only look like an archive and that
//! fails to open is reported as [`ProblemKind::Corrupt`].
//!
//! # Virtual paths
//!
//! A file on disk keeps its path as given (`dir/sub/cable.html`). A file
//! inside an archive is the archive's path, `!`, and the member's name:
//! `dir/sub/a.zip!inner/b.tar.gz!x/cable.html`. Standard input is `-`. Names
//! that are not UTF-8 are shown lossily; [`Entry::disk_path`] gives the exact
//! file on disk.
//!
//! # Why a callback and not an iterator
//!
//! A file inside a tar inside a gzip inside a zip is read through a chain of
//! readers that borrow each other (`tar::Entry` borrows the `tar::Archive`,
//! which owns the gzip decoder, which borrows the zip entry, which borrows the
//! `ZipArchive`). An iterator would have to own that whole chain across calls
//! to `next`, which needs self-referential types or buffering whole entries.
//! A visitor keeps each level on the stack for exactly as long as the visitor
//! reads it, so every entry streams in bounded memory.
//!
//! # Example
//!
//! ```no_run
//! use std::io::Read;
//! use std::path::PathBuf;
//! use cablescope_collect::{walk, Event, Limits};
//!
//! let inputs = vec![PathBuf::from("cables/"), PathBuf::from("-")];
//! walk(&inputs, &Limits::default(), &mut |event| match event {
//!     Event::File(mut entry) => {
//!         let mut head = [0u8; 16];
//!         let n = entry.read(&mut head).unwrap_or(0);
//!         println!("{} ({:?} bytes) starts {:?}", entry.path(), entry.size(), &head[..n]);
//!     }
//!     Event::Problem(problem) => eprintln!("warning: {problem}"),
//! });
//! ```
#![warn(missing_docs)]

use std::cell::{Cell, RefCell};
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use walkdir::WalkDir;
use zip::result::ZipError;
use zip::{CompressionMethod, ZipArchive};

/// The name that stands for standard input, both as an input and as the
/// virtual path of what is read from it.
pub const STDIN: &str = "-";

/// An entry is never called a bomb for its ratio before it has expanded to
/// this many bytes: small, very repetitive files are legitimate.
const BOMB_FLOOR_BYTES: u64 = 1 << 20;

/// The most bytes of tar metadata (GNU long names, pax headers) read between
/// two entries; the tar crate keeps them in memory.
const TAR_HEADER_CAP: u64 = 1 << 20;

/// How many bytes are sniffed at the start of every stream.
const SNIFF_BYTES: usize = 512;

/// Bounds on what the walker will do with hostile input.
///
/// Every limit is applied per file opened from the file system (or per
/// standard input / [`walk_reader`] stream): one oversized archive does not
/// spend the budget of the next file in the same folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Files larger than this should not be loaded whole. The walker still
    /// yields them (a 2 GB CSV can be streamed); the consumer checks
    /// [`Entry::exceeds_max_file_bytes`] or reads with
    /// [`Entry::read_to_end_capped`], and the walker then reports
    /// [`ProblemKind::TooLarge`]. Default 64 MiB.
    pub max_file_bytes: u64,
    /// How many container layers (gzip, zip, tar; a tar directly inside a
    /// gzip shares the gzip's layer) may be opened below a file on disk. A
    /// container found at this depth is reported as
    /// [`ProblemKind::TooDeep`] and not opened. Default 4.
    pub max_archive_depth: u32,
    /// The most bytes that may come out of decompression (gzip streams and
    /// compressed zip entries, at every nesting level) for one file on disk;
    /// past it the rest of that file is skipped with
    /// [`ProblemKind::ExpansionBudget`]. Default 8 GiB.
    pub max_expanded_bytes: u64,
    /// A compressed stream or zip entry whose expanded size exceeds this many
    /// times its compressed size (once past 1 MiB) is a bomb
    /// ([`ProblemKind::Bomb`]); it is cut off as soon as the ratio is
    /// crossed, or skipped unread when a zip declares such sizes. Default 200.
    pub max_ratio: u64,
    /// The most entries read from one archive; the rest are skipped with
    /// [`ProblemKind::TooManyEntries`]. Default 1 000 000.
    pub max_entries: u64,
    /// Zip needs random access. A zip that is not a plain file on disk (one
    /// inside another archive or a gzip, or on standard input) is buffered in
    /// memory up to this many bytes in total across nesting levels; a larger
    /// one is read sequentially from its local headers instead, which fails
    /// (and is reported) only for entries written with data descriptors.
    /// Default 256 MiB.
    pub max_zip_buffer_bytes: u64,
    /// Folders never entered while walking a directory input (compared by
    /// canonical path), e.g. the archive an ingest writes, when it lies inside a
    /// folder being ingested. Skipped silently: they are not the user's input.
    /// Default none.
    pub skip_dirs: Vec<PathBuf>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 64 << 20,
            max_archive_depth: 4,
            max_expanded_bytes: 8 << 30,
            max_ratio: 200,
            max_entries: 1_000_000,
            max_zip_buffer_bytes: 256 << 20,
            skip_dirs: Vec::new(),
        }
    }
}

/// What went wrong with one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The path does not exist, or a symlink points nowhere.
    NotFound,
    /// The operating system refused to open or list the path.
    PermissionDenied,
    /// A symlink points back at a directory that contains it; the loop is
    /// not followed.
    SymlinkLoop,
    /// A FIFO, socket or device was skipped, inside a directory or named as an
    /// input: opening one can block forever (a FIFO nobody writes to) or never
    /// end (a device). Streams are read from standard input (`-`).
    NotAFile,
    /// A file changed while it was read (its size, modification time or inode
    /// differ before and after, or fewer bytes came than it held): what was read
    /// may be half old and half new, so it is refused; read it again later.
    Changed,
    /// The consumer declined a file larger than [`Limits::max_file_bytes`].
    TooLarge,
    /// A container nested deeper than [`Limits::max_archive_depth`] was not
    /// opened.
    TooDeep,
    /// A compressed entry expands more than [`Limits::max_ratio`] times its
    /// compressed size; it was cut off or skipped.
    Bomb,
    /// More than [`Limits::max_expanded_bytes`] came out of one input; the
    /// rest of that input was skipped.
    ExpansionBudget,
    /// An archive holds more than [`Limits::max_entries`] entries; the rest
    /// were skipped.
    TooManyEntries,
    /// A truncated or corrupt archive, compressed stream or entry. Entries
    /// before the damage have been yielded.
    Corrupt,
    /// Something this crate cannot read: an encrypted zip entry, a
    /// compression method other than stored and deflate, a zip entry with a
    /// data descriptor when the zip can only be read sequentially.
    Unsupported,
    /// Any other input/output error.
    Io,
}

/// A problem with one path; the walk goes on after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The virtual path concerned (see the crate documentation).
    pub path: String,
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// A human-readable description.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// What the walker hands to the visitor.
#[derive(Debug)]
pub enum Event<'a> {
    /// A file, with a reader over its content. The reader is only valid
    /// during the visitor call; whatever the visitor leaves unread is skipped.
    File(Entry<'a>),
    /// A path that could not be read, wholly or partly.
    Problem(Problem),
}

/// One file found by the walker: its virtual path, its declared size and a
/// streaming reader over its bytes.
///
/// `Entry` implements [`Read`]. Read errors (a truncated gzip, say) come back
/// from `read` and are also reported by the walker as an
/// [`Event::Problem`] right after the visitor returns, so a consumer may
/// simply skip an entry whose read fails.
pub struct Entry<'a> {
    path: &'a str,
    disk_path: Option<&'a Path>,
    /// What the file on disk looked like when it was opened (plain files on disk
    /// only): [`Entry::read_to_end_capped`] compares it with the file afterwards.
    stamp: Option<Stamp>,
    changed: &'a RefCell<Option<String>>,
    size: Option<u64>,
    depth: u32,
    max_file_bytes: u64,
    too_large: &'a Cell<bool>,
    reader: &'a mut dyn Read,
}

impl<'a> Entry<'a> {
    /// The virtual path, e.g. `dir/a.zip!inner/b.tar.gz!x/cable.html`.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The file on disk that holds these bytes: the file itself, or the
    /// outermost archive it was found in. `None` for standard input and
    /// [`walk_reader`] streams.
    pub fn disk_path(&self) -> Option<&'a Path> {
        self.disk_path
    }

    /// The declared size: from the file system, a tar header or a zip
    /// directory. `None` when the content comes out of a gzip stream or a
    /// pipe. Sizes declared inside archives are not trusted by the walker
    /// and should not be by the consumer either (the reader may end sooner,
    /// with a [`ProblemKind::Corrupt`] report).
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// How many containers this entry is inside (0 for a file on disk).
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// The [`Limits::max_file_bytes`] the walk runs with.
    pub fn max_file_bytes(&self) -> u64 {
        self.max_file_bytes
    }

    /// True when the declared size is over [`Limits::max_file_bytes`]. A
    /// consumer that needs the whole file in memory should then skip it with
    /// [`Entry::decline_too_large`]; one that streams can read it anyway.
    pub fn exceeds_max_file_bytes(&self) -> bool {
        self.size.is_some_and(|s| s > self.max_file_bytes)
    }

    /// Tells the walker that the consumer skipped this entry for its size:
    /// the walker reports a [`ProblemKind::TooLarge`] problem for it.
    pub fn decline_too_large(&self) {
        self.too_large.set(true);
    }

    /// Appends the whole content to `buf` if it is at most
    /// [`Limits::max_file_bytes`] long, returning the number of bytes added.
    ///
    /// A longer entry is declined as by [`Entry::decline_too_large`]: `buf`
    /// is restored to its former length and the error is of kind
    /// [`io::ErrorKind::FileTooLarge`]. At most `max_file_bytes + 1` bytes
    /// are held at any time.
    ///
    /// For a plain file on disk, the file is checked again after the read: if its
    /// size, modification time or inode changed, or the bytes read are not what it
    /// held when opened, `buf` is restored and the error (kind
    /// [`io::ErrorKind::Other`], message naming the change) says it changed while
    /// it was read ([`ProblemKind::Changed`]), so a consumer never takes half a
    /// rewrite for the file.
    pub fn read_to_end_capped(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let start = buf.len();
        let n = self.read_capped(buf)?;
        if let (Some(before), Some(path)) = (&self.stamp, self.disk_path) {
            if let Some(why) = before.changed(path, Some(n as u64)) {
                buf.truncate(start);
                let msg = format!("changed while it was read ({why}); read it again later");
                *self.changed.borrow_mut() = Some(msg.clone());
                return Err(io::Error::other(msg));
            }
        }
        Ok(n)
    }

    fn read_capped(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let start = buf.len();
        if self.exceeds_max_file_bytes() {
            self.decline_too_large();
            return Err(too_large_error(self.max_file_bytes));
        }
        let cap = self.max_file_bytes.saturating_add(1);
        let result = (&mut *self.reader).take(cap).read_to_end(buf);
        match result {
            Ok(n) if n as u64 > self.max_file_bytes => {
                buf.truncate(start);
                self.decline_too_large();
                Err(too_large_error(self.max_file_bytes))
            }
            Ok(n) => Ok(n),
            Err(e) => {
                buf.truncate(start);
                Err(e)
            }
        }
    }
}

/// What a file on disk looked like when it was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    ino: (u64, u64),
}

impl Stamp {
    fn of(m: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            #[cfg(unix)]
            ino: (m.dev(), m.ino()),
        }
    }

    /// Why the file at `path` (of which `read` bytes were read, when the whole
    /// file was read) is not the file this stamp describes; `None` when it is.
    fn changed(&self, path: &Path, read: Option<u64>) -> Option<String> {
        let now = match std::fs::metadata(path) {
            Ok(m) => Stamp::of(&m),
            Err(e) => return Some(format!("it cannot be read again: {e}")),
        };
        if let Some(read) = read.filter(|&r| r != self.len) {
            return Some(format!("{read} bytes read of the {} it held", self.len));
        }
        if now.len != self.len {
            return Some(format!("{} bytes when opened, {} after", self.len, now.len));
        }
        #[cfg(unix)]
        if now.ino != self.ino {
            return Some("replaced by another file".into());
        }
        if now.modified != self.modified {
            return Some("modified during the read".into());
        }
        None
    }
}

fn too_large_error(max: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("file is larger than max_file_bytes ({max})"),
    )
}

impl Read for Entry<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf)
    }
}

impl fmt::Debug for Entry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("path", &self.path)
            .field("disk_path", &self.disk_path)
            .field("size", &self.size)
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

/// Walks `inputs` in order and calls `visit` once for every file found and
/// once for every problem.
///
/// Each input is a file, a directory or [`STDIN`] (`-`). Directories are
/// walked recursively in byte order of names, following symlinks and
/// reporting loops. Files are sniffed and, when they are gzip, zip or tar,
/// opened recursively (see [`Limits`]). Nothing is fatal: every failure is
/// an [`Event::Problem`] and the walk continues.
pub fn walk(inputs: &[PathBuf], limits: &Limits, visit: &mut dyn FnMut(Event<'_>)) {
    let mut walker = Walker { limits, visit };
    for input in inputs {
        if input.as_os_str() == STDIN {
            let stdin = io::stdin();
            let mut lock = stdin.lock();
            walker.stream_input(STDIN, &mut lock);
        } else {
            walker.path_input(input);
        }
    }
}

/// Walks one stream as if it were a file called `name` (which is only used
/// for virtual paths and for dropping `.gz`): sniffs it, opens it if it is an
/// archive, and calls `visit` as [`walk`] does.
pub fn walk_reader(
    name: &str,
    reader: &mut dyn Read,
    limits: &Limits,
    visit: &mut dyn FnMut(Event<'_>),
) {
    let mut walker = Walker { limits, visit };
    walker.stream_input(name, reader);
}

// ---------------------------------------------------------------------------
// Sniffing

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Gzip,
    Zip,
    Tar,
}

fn sniff(head: &[u8]) -> Kind {
    if head.starts_with(&[0x1f, 0x8b, 0x08]) {
        Kind::Gzip
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Kind::Zip
    } else if (head.len() >= 262 && &head[257..262] == b"ustar")
        || (head.len() >= 512 && tar_v7_checksum_ok(&head[..512]))
    {
        Kind::Tar
    } else {
        Kind::Plain
    }
}

/// A pre-POSIX tar header has no magic; accept it when its name is set and
/// its checksum field matches the header's byte sum.
fn tar_v7_checksum_ok(block: &[u8]) -> bool {
    if block[0] == 0 {
        return false;
    }
    let field = &block[148..156];
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|&b| b == b' ')
        .take_while(|b| (b'0'..=b'7').contains(b))
        .collect();
    if digits.is_empty() {
        return false;
    }
    let Ok(expected) = u32::from_str_radix(std::str::from_utf8(&digits).unwrap_or(""), 8) else {
        return false;
    };
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    sum == expected
}

/// Reads up to [`SNIFF_BYTES`] bytes, fewer only at end of stream.
fn peek(src: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = vec![0u8; SNIFF_BYTES];
    let mut filled = 0;
    while filled < head.len() {
        match src.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    head.truncate(filled);
    Ok(head)
}

/// The virtual name of a gzip's content when that content is a plain file.
fn strip_gz(path: &str) -> String {
    let lower = path.to_ascii_lowercase();
    let base_len = |suffix: &str| path.len() - suffix.len();
    let ok = |stem: &str| !stem.is_empty() && !stem.ends_with(['/', '!']);
    if lower.ends_with(".tgz") && ok(&path[..base_len(".tgz")]) {
        return format!("{}.tar", &path[..base_len(".tgz")]);
    }
    for suffix in [".gz", ".gzip"] {
        if lower.ends_with(suffix) && ok(&path[..base_len(suffix)]) {
            return path[..base_len(suffix)].to_owned();
        }
    }
    path.to_owned()
}

// ---------------------------------------------------------------------------
// Readers

/// Per-input state shared by the readers of every nesting level.
struct Budget<'l> {
    limits: &'l Limits,
    input: String,
    expanded: Cell<u64>,
    exhausted: Cell<bool>,
    /// Incremented whenever a limit cuts a stream: later read errors caused
    /// by that cut are not reported again.
    trips: Cell<u64>,
    buffered: Cell<u64>,
    pending: RefCell<Vec<Problem>>,
}

impl<'l> Budget<'l> {
    fn new(limits: &'l Limits, input: &str) -> Self {
        Budget {
            limits,
            input: input.to_owned(),
            expanded: Cell::new(0),
            exhausted: Cell::new(false),
            trips: Cell::new(0),
            buffered: Cell::new(0),
            pending: RefCell::new(Vec::new()),
        }
    }

    fn trip(&self, path: &str, kind: ProblemKind, message: String) {
        self.trips.set(self.trips.get() + 1);
        self.pending.borrow_mut().push(Problem {
            path: path.to_owned(),
            kind,
            message,
        });
    }
}

fn limit_error(what: &str) -> io::Error {
    io::Error::other(format!("cut off by the walker: {what}"))
}

/// Counts the bytes a decoder consumes.
struct CountIn<'c, R> {
    inner: R,
    count: &'c Cell<u64>,
}

impl<R: Read> Read for CountIn<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Sits on the output of a decompressor: enforces the ratio and the
/// expansion budget. It hands out every byte up to a limit and none past it
/// (one extra byte is decoded to tell a stream that ends there from one
/// that goes on).
struct Guard<'b, 'l, R> {
    inner: R,
    budget: &'b Budget<'l>,
    path: &'b str,
    compressed: &'b Cell<u64>,
    /// The size the container declares, when it declares one: more output
    /// than that is a lie, cut at once.
    declared: Option<u64>,
    output: u64,
    /// Why the stream was cut, once it was.
    tripped: Option<&'static str>,
}

impl<'b, 'l, R> Guard<'b, 'l, R> {
    fn new(inner: R, budget: &'b Budget<'l>, path: &'b str, compressed: &'b Cell<u64>) -> Self {
        Guard {
            inner,
            budget,
            path,
            compressed,
            declared: None,
            output: 0,
            tripped: None,
        }
    }

    fn declared(mut self, size: u64) -> Self {
        self.declared = Some(size);
        self
    }

    fn ratio_allowance(&self) -> u64 {
        let by_ratio = self
            .compressed
            .get()
            .saturating_mul(self.budget.limits.max_ratio);
        by_ratio.max(BOMB_FLOOR_BYTES)
    }
}

impl<R: Read> Read for Guard<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(why) = self.tripped {
            return Err(limit_error(why));
        }
        if self.budget.exhausted.get() {
            return Err(limit_error("expansion budget spent"));
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let limits = self.budget.limits;
        let budget_left = limits
            .max_expanded_bytes
            .saturating_sub(self.budget.expanded.get());
        let ratio_left = self.ratio_allowance().saturating_sub(self.output);
        let declared_left = self
            .declared
            .map_or(u64::MAX, |d| d.saturating_sub(self.output));
        // Deliver up to the limit; at the limit, probe one byte to tell a
        // stream that ends exactly there from one that goes on.
        let allow = budget_left.min(ratio_left).min(declared_left).max(1);
        let len = buf.len().min(usize::try_from(allow).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..len])?;
        self.output += n as u64;
        let expanded = self.budget.expanded.get() + n as u64;
        self.budget.expanded.set(expanded);
        if expanded > limits.max_expanded_bytes {
            self.tripped = Some("expansion budget spent");
            self.budget.exhausted.set(true);
            self.budget.trip(
                self.path,
                ProblemKind::ExpansionBudget,
                format!(
                    "more than max_expanded_bytes ({}) decompressed from {}; the rest of it is skipped",
                    limits.max_expanded_bytes, self.budget.input
                ),
            );
            return Err(limit_error("expansion budget spent"));
        }
        if let Some(declared) = self.declared.filter(|&d| self.output > d) {
            self.tripped = Some("expands past its declared size");
            self.budget.trip(
                self.path,
                ProblemKind::Corrupt,
                format!("expands past its declared size of {declared} bytes; cut off"),
            );
            return Err(limit_error("expands past its declared size"));
        }
        if self.output > self.ratio_allowance() {
            self.tripped = Some("compression bomb");
            self.budget.trip(
                self.path,
                ProblemKind::Bomb,
                format!(
                    "compression bomb: {} bytes expanded from {} compressed bytes (ratio over max_ratio {}); cut off",
                    self.output,
                    self.compressed.get(),
                    limits.max_ratio
                ),
            );
            return Err(limit_error("compression bomb"));
        }
        Ok(n)
    }
}

/// Caps the bytes a tar archive reads while looking for its next header, so
/// a hostile long name or pax header cannot be loaded into memory whole.
struct TarHeaderCap<'c, R> {
    inner: R,
    in_header: &'c Cell<bool>,
    used: &'c Cell<u64>,
}

impl<R: Read> Read for TarHeaderCap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.in_header.get() {
            return self.inner.read(buf);
        }
        let left = TAR_HEADER_CAP.saturating_sub(self.used.get());
        if left == 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("tar metadata (long names, pax headers) over {TAR_HEADER_CAP} bytes"),
            ));
        }
        let len = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..len])?;
        self.used.set(self.used.get() + n as u64);
        Ok(n)
    }
}

/// Wraps the reader handed to the visitor: remembers the first error and
/// whether the content ended before its declared size.
struct Tracked<'r> {
    inner: &'r mut dyn Read,
    declared: Option<u64>,
    bytes: u64,
    error: Option<(io::ErrorKind, String)>,
    short: bool,
}

impl Read for Tracked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(0) if !buf.is_empty() => {
                if self.declared.is_some_and(|d| self.bytes < d) {
                    self.short = true;
                }
                Ok(0)
            }
            Ok(n) => {
                self.bytes += n as u64;
                Ok(n)
            }
            Err(e) => {
                if e.kind() != io::ErrorKind::Interrupted && self.error.is_none() {
                    self.error = Some((e.kind(), e.to_string()));
                }
                Err(e)
            }
        }
    }
}

fn io_kind(kind: io::ErrorKind) -> ProblemKind {
    match kind {
        io::ErrorKind::NotFound => ProblemKind::NotFound,
        io::ErrorKind::PermissionDenied => ProblemKind::PermissionDenied,
        io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput => {
            ProblemKind::Corrupt
        }
        _ => ProblemKind::Io,
    }
}

fn zip_kind(e: &ZipError) -> ProblemKind {
    match e {
        ZipError::Io(io) => io_kind(io.kind()),
        ZipError::UnsupportedArchive(_) | ZipError::InvalidPassword => ProblemKind::Unsupported,
        _ => ProblemKind::Corrupt,
    }
}

// ---------------------------------------------------------------------------
// The walker

struct Walker<'v, 'l> {
    limits: &'l Limits,
    visit: &'v mut dyn FnMut(Event<'_>),
}

/// Where the bytes being read come from.
#[derive(Clone, Copy)]
struct Ctx<'a, 'l> {
    budget: &'a Budget<'l>,
    disk: Option<&'a Path>,
    /// The stamp of the file on disk when it was opened, for a plain file read
    /// directly (not through a container).
    stamp: Option<&'a Stamp>,
}

fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

impl Walker<'_, '_> {
    fn problem(&mut self, path: &str, kind: ProblemKind, message: impl Into<String>) {
        (self.visit)(Event::Problem(Problem {
            path: path.to_owned(),
            kind,
            message: message.into(),
        }));
    }

    fn flush(&mut self, ctx: Ctx<'_, '_>) {
        let pending = std::mem::take(&mut *ctx.budget.pending.borrow_mut());
        for p in pending {
            (self.visit)(Event::Problem(p));
        }
    }

    /// Reports `err` unless a limit has cut a stream since `trips` was read
    /// (the error is then only the echo of that cut, already reported).
    fn report_unless_tripped(
        &mut self,
        ctx: Ctx<'_, '_>,
        trips: u64,
        path: &str,
        kind: ProblemKind,
        message: String,
    ) {
        self.flush(ctx);
        if ctx.budget.trips.get() == trips {
            self.problem(path, kind, message);
        }
    }

    fn path_input(&mut self, input: &Path) {
        let skip: Vec<PathBuf> = self
            .limits
            .skip_dirs
            .iter()
            .filter_map(|d| d.canonicalize().ok())
            .collect();
        let walker = WalkDir::new(input)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|de| {
                skip.is_empty()
                    || !de.file_type().is_dir()
                    || de.path().canonicalize().is_ok_and(|c| !skip.contains(&c))
            });
        for item in walker {
            match item {
                Err(e) => {
                    let path = display(e.path().unwrap_or(input));
                    if let Some(ancestor) = e.loop_ancestor() {
                        let msg =
                            format!("symlink loop back to {}; not followed", ancestor.display());
                        self.problem(&path, ProblemKind::SymlinkLoop, msg);
                    } else {
                        let kind = e
                            .io_error()
                            .map_or(ProblemKind::Io, |io| io_kind(io.kind()));
                        let msg = match e.io_error() {
                            Some(io) => io.to_string(),
                            None => e.to_string(),
                        };
                        self.problem(&path, kind, msg);
                    }
                }
                Ok(de) => {
                    let ft = de.file_type();
                    if ft.is_dir() {
                        continue;
                    }
                    if ft.is_file() {
                        self.file_input(de.path());
                    } else {
                        // Never opened: opening a FIFO blocks until someone writes.
                        self.problem(
                            &display(de.path()),
                            ProblemKind::NotAFile,
                            "not a regular file (FIFO, socket or device); skipped \
                             (read a stream from standard input with -)",
                        );
                    }
                }
            }
        }
    }

    fn file_input(&mut self, path: &Path) {
        let vpath = display(path);
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) => return self.problem(&vpath, io_kind(e.kind()), e.to_string()),
        };
        let meta = match file.metadata() {
            Ok(m) => m,
            Err(e) => return self.problem(&vpath, io_kind(e.kind()), e.to_string()),
        };
        // Checked after the open, on the open file: a path swapped for a FIFO
        // between the directory listing and the open is refused too.
        if !meta.is_file() {
            return self.problem(
                &vpath,
                ProblemKind::NotAFile,
                "not a regular file (FIFO, socket or device); skipped \
                 (read a stream from standard input with -)",
            );
        }
        let size = Some(meta.len());
        let stamp = Stamp::of(&meta);
        let budget = Budget::new(self.limits, &vpath);
        let ctx = Ctx {
            budget: &budget,
            disk: Some(path),
            stamp: Some(&stamp),
        };
        let head = match peek(&mut file) {
            Ok(h) => h,
            Err(e) => return self.problem(&vpath, io_kind(e.kind()), e.to_string()),
        };
        let kind = sniff(&head);
        if kind == Kind::Zip {
            if self.limits.max_archive_depth == 0 {
                return self.too_deep(&vpath, 0);
            }
            self.zip_seekable(ctx, &vpath, BufReader::new(file), 1);
        } else {
            let mut src = Cursor::new(head).chain(file);
            self.dispatch(ctx, kind, &vpath, &vpath, &mut src, size, 0, false);
        }
        self.flush(ctx);
    }

    fn stream_input(&mut self, name: &str, reader: &mut dyn Read) {
        let budget = Budget::new(self.limits, name);
        let ctx = Ctx {
            budget: &budget,
            disk: None,
            stamp: None,
        };
        self.stream(ctx, name, name, reader, None, 0, false);
        self.flush(ctx);
    }

    /// Sniffs `src` and hands it on. `path` names the content if it is a
    /// plain file, `archive` if it is an archive (they differ only below a
    /// gzip). `in_gzip` says `src` is the direct output of a gzip.
    #[allow(clippy::too_many_arguments)]
    fn stream(
        &mut self,
        ctx: Ctx<'_, '_>,
        path: &str,
        archive: &str,
        src: &mut dyn Read,
        size: Option<u64>,
        depth: u32,
        in_gzip: bool,
    ) {
        let trips = ctx.budget.trips.get();
        let head = match peek(src) {
            Ok(h) => h,
            Err(e) => {
                let msg = format!("read failed: {e}");
                return self.report_unless_tripped(ctx, trips, path, io_kind(e.kind()), msg);
            }
        };
        let kind = sniff(&head);
        let mut chained = Cursor::new(head).chain(src);
        self.dispatch(ctx, kind, path, archive, &mut chained, size, depth, in_gzip);
    }

    fn too_deep(&mut self, archive: &str, depth: u32) {
        let msg = format!(
            "archive nested {} levels deep, over max_archive_depth ({}); not opened",
            depth + 1,
            self.limits.max_archive_depth
        );
        self.problem(archive, ProblemKind::TooDeep, msg);
    }

    #[allow(clippy::too_many_arguments)]
    fn dispatch(
        &mut self,
        ctx: Ctx<'_, '_>,
        kind: Kind,
        path: &str,
        archive: &str,
        src: &mut dyn Read,
        size: Option<u64>,
        depth: u32,
        in_gzip: bool,
    ) {
        let max_depth = self.limits.max_archive_depth;
        match kind {
            Kind::Plain => self.emit(ctx, path, size, depth, src),
            Kind::Gzip => {
                if depth >= max_depth {
                    return self.too_deep(archive, depth);
                }
                let consumed = Cell::new(0);
                let decoder = MultiGzDecoder::new(CountIn {
                    inner: src,
                    count: &consumed,
                });
                let mut guard = Guard::new(decoder, ctx.budget, archive, &consumed);
                let inner = strip_gz(path);
                self.stream(ctx, &inner, archive, &mut guard, None, depth + 1, true);
            }
            Kind::Tar => {
                // A tar straight out of a gzip is one archive, `.tar.gz`.
                if in_gzip {
                    self.tar(ctx, archive, src, depth);
                } else if depth >= max_depth {
                    self.too_deep(archive, depth);
                } else {
                    self.tar(ctx, archive, src, depth + 1);
                }
            }
            Kind::Zip => {
                if depth >= max_depth {
                    return self.too_deep(archive, depth);
                }
                self.zip_buffered(ctx, archive, src, depth + 1);
            }
        }
    }

    fn emit(
        &mut self,
        ctx: Ctx<'_, '_>,
        path: &str,
        size: Option<u64>,
        depth: u32,
        src: &mut dyn Read,
    ) {
        let trips = ctx.budget.trips.get();
        let too_large = Cell::new(false);
        let changed = RefCell::new(None);
        let stamp = ctx.stamp.filter(|_| depth == 0);
        let mut tracked = Tracked {
            inner: src,
            declared: size,
            bytes: 0,
            error: None,
            short: false,
        };
        (self.visit)(Event::File(Entry {
            path,
            disk_path: ctx.disk,
            // Only a file read straight from disk can be compared with itself.
            stamp: stamp.cloned(),
            changed: &changed,
            size,
            depth,
            max_file_bytes: self.limits.max_file_bytes,
            too_large: &too_large,
            reader: &mut tracked,
        }));
        self.flush(ctx);
        // A consumer that streamed the file (parse) learns of a change here; one
        // that read it whole was already refused by `read_to_end_capped`.
        let changed = changed.into_inner().or_else(|| {
            let (stamp, disk) = (stamp?, ctx.disk?);
            let why = stamp.changed(disk, None)?;
            Some(format!(
                "changed while it was read ({why}); read it again later"
            ))
        });
        if let Some(msg) = changed {
            self.problem(path, ProblemKind::Changed, msg);
        }
        if too_large.get() {
            let msg = format!(
                "larger than max_file_bytes ({}){}; skipped",
                self.limits.max_file_bytes,
                size.map(|s| format!(": {s} bytes")).unwrap_or_default()
            );
            self.problem(path, ProblemKind::TooLarge, msg);
        }
        if let Some((kind, msg)) = tracked.error {
            let msg = format!("read failed after {} bytes: {msg}", tracked.bytes);
            self.report_unless_tripped(ctx, trips, path, io_kind(kind), msg);
        } else if tracked.short {
            let msg = format!(
                "truncated: ended after {} of {} declared bytes",
                tracked.bytes,
                size.unwrap_or(0)
            );
            self.report_unless_tripped(ctx, trips, path, ProblemKind::Corrupt, msg);
        }
    }

    /// Reads a tar archive; its entries are at `depth`.
    fn tar(&mut self, ctx: Ctx<'_, '_>, archive: &str, src: &mut dyn Read, depth: u32) {
        let in_header = Cell::new(false);
        let used = Cell::new(0);
        let mut tar = tar::Archive::new(TarHeaderCap {
            inner: src,
            in_header: &in_header,
            used: &used,
        });
        let trips = ctx.budget.trips.get();
        let mut entries = match tar.entries() {
            Ok(e) => e,
            Err(e) => {
                let msg = format!("unreadable tar: {e}");
                return self.report_unless_tripped(ctx, trips, archive, io_kind(e.kind()), msg);
            }
        };
        let mut count = 0u64;
        loop {
            if ctx.budget.exhausted.get() {
                break;
            }
            let trips = ctx.budget.trips.get();
            in_header.set(true);
            used.set(0);
            let next = entries.next();
            in_header.set(false);
            let mut entry = match next {
                None => break,
                Some(Ok(entry)) => entry,
                Some(Err(e)) => {
                    let msg = format!("corrupt or truncated tar after {count} entries: {e}");
                    self.report_unless_tripped(ctx, trips, archive, ProblemKind::Corrupt, msg);
                    break;
                }
            };
            count += 1;
            if count > self.limits.max_entries {
                let msg = format!(
                    "more than max_entries ({}) entries; the rest are skipped",
                    self.limits.max_entries
                );
                self.problem(archive, ProblemKind::TooManyEntries, msg);
                break;
            }
            let entry_type = entry.header().entry_type();
            let sparse = entry_type.is_gnu_sparse();
            if !(entry_type.is_file() || entry_type.is_contiguous() || sparse) {
                continue; // directories, links, devices: no content of their own
            }
            let vpath = format!("{archive}!{}", String::from_utf8_lossy(&entry.path_bytes()));
            let size = entry.size();
            let trips = ctx.budget.trips.get();
            if sparse {
                // The holes of a sparse file are zeros that take no room in
                // the archive: treat them as an expansion.
                let stored = Cell::new(entry.header().entry_size().unwrap_or(0));
                let mut guard = Guard::new(&mut entry, ctx.budget, &vpath, &stored).declared(size);
                self.stream(ctx, &vpath, &vpath, &mut guard, Some(size), depth, false);
            } else {
                self.stream(ctx, &vpath, &vpath, &mut entry, Some(size), depth, false);
            }
            // Skip what the visitor left unread, outside the header cap.
            if let Err(e) = io::copy(&mut entry, &mut io::sink()) {
                let msg = format!("corrupt or truncated tar: {e}");
                self.report_unless_tripped(ctx, trips, archive, ProblemKind::Corrupt, msg);
                break;
            }
        }
    }

    /// Reads a zip from a stream: buffered in memory when small enough,
    /// sequentially from its local headers otherwise.
    fn zip_buffered(&mut self, ctx: Ctx<'_, '_>, archive: &str, src: &mut dyn Read, depth: u32) {
        let budget = ctx.budget;
        let cap = self
            .limits
            .max_zip_buffer_bytes
            .saturating_sub(budget.buffered.get());
        let mut buf = Vec::new();
        let trips = budget.trips.get();
        if let Err(e) = (&mut *src)
            .take(cap.saturating_add(1))
            .read_to_end(&mut buf)
        {
            // Read what came before the damage.
            let msg = format!("read failed after {} bytes: {e}", buf.len());
            self.report_unless_tripped(ctx, trips, archive, io_kind(e.kind()), msg);
            if budget.exhausted.get() {
                return;
            }
            let len = buf.len() as u64;
            budget.buffered.set(budget.buffered.get() + len);
            self.zip_seekable(ctx, archive, Cursor::new(&buf[..]), depth);
            budget.buffered.set(budget.buffered.get() - len);
        } else if buf.len() as u64 > cap {
            let mut chained = Cursor::new(buf).chain(src);
            self.zip_stream(ctx, archive, &mut chained, depth);
        } else {
            let len = buf.len() as u64;
            budget.buffered.set(budget.buffered.get() + len);
            self.zip_seekable(ctx, archive, Cursor::new(&buf[..]), depth);
            budget.buffered.set(budget.buffered.get() - len);
        }
    }

    /// Reads a zip through its central directory, falling back to its local
    /// headers when the directory is damaged (a truncated zip).
    fn zip_seekable<R: Read + Seek>(
        &mut self,
        ctx: Ctx<'_, '_>,
        archive: &str,
        mut src: R,
        depth: u32,
    ) {
        match ZipArchive::new(&mut src) {
            Ok(mut zip) => self.zip_indexed(ctx, archive, &mut zip, depth),
            Err(e) => {
                let msg = format!(
                    "zip central directory unreadable ({e}); reading entries from local headers"
                );
                self.problem(archive, ProblemKind::Corrupt, msg);
                if let Err(e) = src.seek(SeekFrom::Start(0)) {
                    return self.problem(archive, io_kind(e.kind()), e.to_string());
                }
                self.zip_stream(ctx, archive, &mut src, depth);
            }
        }
    }

    fn zip_indexed<R: Read + Seek>(
        &mut self,
        ctx: Ctx<'_, '_>,
        archive: &str,
        zip: &mut ZipArchive<R>,
        depth: u32,
    ) {
        let mut count = zip.len() as u64;
        if count > self.limits.max_entries {
            let msg = format!(
                "{count} entries, more than max_entries ({}); the rest are skipped",
                self.limits.max_entries
            );
            self.problem(archive, ProblemKind::TooManyEntries, msg);
            count = self.limits.max_entries;
        }
        for i in 0..count as usize {
            if ctx.budget.exhausted.get() {
                break;
            }
            let name = zip.name_for_index(i).unwrap_or("").to_owned();
            let vpath = format!("{archive}!{name}");
            match zip.by_index(i) {
                Ok(mut file) => self.zip_entry(ctx, &vpath, &mut file, depth),
                Err(e) => self.problem(&vpath, zip_kind(&e), format!("unreadable zip entry: {e}")),
            }
        }
    }

    fn zip_stream(&mut self, ctx: Ctx<'_, '_>, archive: &str, mut src: &mut dyn Read, depth: u32) {
        let mut count = 0u64;
        loop {
            if ctx.budget.exhausted.get() {
                break;
            }
            let trips = ctx.budget.trips.get();
            let mut file = match zip::read::read_zipfile_from_stream(&mut src) {
                Ok(None) => break,
                Ok(Some(file)) => file,
                Err(e) => {
                    let msg = format!("zip unreadable after {count} entries: {e}");
                    self.report_unless_tripped(ctx, trips, archive, zip_kind(&e), msg);
                    break;
                }
            };
            count += 1;
            if count > self.limits.max_entries {
                let msg = format!(
                    "more than max_entries ({}) entries; the rest are skipped",
                    self.limits.max_entries
                );
                self.problem(archive, ProblemKind::TooManyEntries, msg);
                break;
            }
            let vpath = format!("{archive}!{}", file.name());
            self.zip_entry(ctx, &vpath, &mut file, depth);
        }
    }

    fn zip_entry<R: Read>(
        &mut self,
        ctx: Ctx<'_, '_>,
        vpath: &str,
        file: &mut zip::read::ZipFile<'_, R>,
        depth: u32,
    ) {
        if file.is_dir() || file.is_symlink() {
            return;
        }
        let size = file.size();
        let compressed = file.compressed_size();
        if file.compression() == CompressionMethod::Stored {
            return self.stream(ctx, vpath, vpath, file, Some(size), depth, false);
        }
        let max_ratio = self.limits.max_ratio;
        if size > BOMB_FLOOR_BYTES && size > compressed.saturating_mul(max_ratio) {
            let msg = format!(
                "compression bomb: declares {size} bytes from {compressed} compressed bytes \
                 (ratio over max_ratio {max_ratio}); skipped unread"
            );
            return self.problem(vpath, ProblemKind::Bomb, msg);
        }
        let compressed = Cell::new(compressed);
        let mut guard = Guard::new(file, ctx.budget, vpath, &compressed).declared(size);
        self.stream(ctx, vpath, vpath, &mut guard, Some(size), depth, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic() {
        assert_eq!(sniff(&[0x1f, 0x8b, 0x08, 0]), Kind::Gzip);
        assert_eq!(sniff(&[0x1f, 0x8b]), Kind::Plain);
        assert_eq!(sniff(b"PK\x03\x04rest"), Kind::Zip);
        assert_eq!(sniff(b"PK\x05\x06"), Kind::Zip);
        assert_eq!(sniff(b"hello"), Kind::Plain);
        assert_eq!(sniff(b""), Kind::Plain);
        let mut ustar = vec![0u8; 512];
        ustar[257..263].copy_from_slice(b"ustar\0");
        assert_eq!(sniff(&ustar), Kind::Tar);
        assert_eq!(sniff(&[0u8; 512]), Kind::Plain);
    }

    #[test]
    fn sniffs_v7_tar_by_checksum() {
        let mut block = vec![0u8; 512];
        block[..5].copy_from_slice(b"a.txt");
        block[100..107].copy_from_slice(b"0000644");
        let sum: u32 = block.iter().map(|&b| u32::from(b)).sum::<u32>() + 8 * 32;
        let field = format!("{sum:06o}\0 ");
        block[148..156].copy_from_slice(field.as_bytes());
        assert!(tar_v7_checksum_ok(&block));
        assert_eq!(sniff(&block), Kind::Tar);
        block[0] = b'b';
        assert!(!tar_v7_checksum_ok(&block));
    }

    #[test]
    fn strips_gz_suffixes() {
        assert_eq!(strip_gz("dir/cable.html.gz"), "dir/cable.html");
        assert_eq!(strip_gz("a.zip!x/CABLE.TXT.GZ"), "a.zip!x/CABLE.TXT");
        assert_eq!(strip_gz("b.tgz"), "b.tar");
        assert_eq!(strip_gz("c.gzip"), "c");
        assert_eq!(strip_gz("noext"), "noext");
        assert_eq!(strip_gz("dir/.gz"), "dir/.gz");
        assert_eq!(strip_gz("a.zip!.gz"), "a.zip!.gz");
        assert_eq!(strip_gz("-"), "-");
    }

    #[test]
    fn peek_keeps_short_streams_whole() {
        let mut r: &[u8] = b"short";
        assert_eq!(peek(&mut r).unwrap(), b"short");
        let long = vec![7u8; 2000];
        let mut r: &[u8] = &long;
        assert_eq!(peek(&mut r).unwrap().len(), SNIFF_BYTES);
        assert_eq!(r.len(), 2000 - SNIFF_BYTES);
    }

    #[test]
    fn guard_cuts_at_ratio_and_never_overshoots() {
        let limits = Limits {
            max_ratio: 10,
            ..Limits::default()
        };
        let budget = Budget::new(&limits, "x");
        let compressed = Cell::new(1000);
        let mut guard = Guard::new(io::repeat(0), &budget, "x.gz", &compressed);
        let mut total = 0u64;
        let mut buf = vec![0u8; 1 << 16];
        let err = loop {
            match guard.read(&mut buf) {
                Ok(n) => total += n as u64,
                Err(e) => break e,
            }
        };
        assert!(err.to_string().contains("bomb"));
        assert_eq!(total, BOMB_FLOOR_BYTES);
        assert_eq!(budget.expanded.get(), BOMB_FLOOR_BYTES + 1);
        assert_eq!(budget.pending.borrow()[0].kind, ProblemKind::Bomb);
        assert!(guard.read(&mut buf).is_err(), "stays cut");
    }

    #[test]
    fn guard_spends_budget_across_layers() {
        let limits = Limits {
            max_expanded_bytes: 5000,
            ..Limits::default()
        };
        let budget = Budget::new(&limits, "input");
        let compressed = Cell::new(1 << 20);
        let mut first = Guard::new(io::repeat(1).take(3000), &budget, "a", &compressed);
        io::copy(&mut first, &mut io::sink()).unwrap();
        let mut second = Guard::new(io::repeat(1), &budget, "b", &compressed);
        let mut sink = Vec::new();
        assert!(io::copy(&mut second, &mut sink).is_err());
        assert_eq!(sink.len(), 2000);
        assert!(budget.exhausted.get());
        let pending = budget.pending.borrow();
        assert_eq!(pending[0].kind, ProblemKind::ExpansionBudget);
        assert_eq!(pending[0].path, "b");
    }

    #[test]
    fn capped_read_declines_large_entries() {
        let too_large = Cell::new(false);
        let mut src: &[u8] = &[1u8; 100];
        let changed = RefCell::new(None);
        let mut entry = Entry {
            path: "p",
            disk_path: None,
            stamp: None,
            changed: &changed,
            size: None,
            depth: 0,
            max_file_bytes: 50,
            too_large: &too_large,
            reader: &mut src,
        };
        let mut buf = vec![9];
        let err = entry.read_to_end_capped(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(buf, [9]);
        assert!(too_large.get());
    }
}

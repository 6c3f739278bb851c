//! End-to-end tests of the walker on fixtures built at test time.

use std::cell::Cell;
use std::fs;
use std::io::{self, Cursor, Read, Write};
use std::path::{Path, PathBuf};

use cablescope_collect::{walk, walk_reader, Event, Limits, Problem, ProblemKind};
use flate2::write::GzEncoder;
use flate2::{Compress, Compression, Crc, FlushCompress};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

// ---------------------------------------------------------------------------
// What a walk produced

#[derive(Debug, Clone, PartialEq)]
enum Rec {
    File {
        path: String,
        size: Option<u64>,
        depth: u32,
        data: Vec<u8>,
    },
    Problem(Problem),
}

fn record(event: Event<'_>) -> Rec {
    match event {
        Event::File(mut entry) => {
            let mut data = Vec::new();
            let mut chunk = [0u8; 64 * 1024];
            loop {
                match entry.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => data.extend_from_slice(&chunk[..n]),
                }
            }
            Rec::File {
                path: entry.path().to_owned(),
                size: entry.size(),
                depth: entry.depth(),
                data,
            }
        }
        Event::Problem(p) => Rec::Problem(p),
    }
}

fn run(inputs: &[PathBuf], limits: &Limits) -> Vec<Rec> {
    let mut out = Vec::new();
    walk(inputs, limits, &mut |e| out.push(record(e)));
    out
}

fn files(recs: &[Rec]) -> Vec<(&str, &[u8])> {
    recs.iter()
        .filter_map(|r| match r {
            Rec::File { path, data, .. } => Some((path.as_str(), data.as_slice())),
            Rec::Problem(_) => None,
        })
        .collect()
}

fn paths(recs: &[Rec]) -> Vec<&str> {
    files(recs).into_iter().map(|(p, _)| p).collect()
}

fn problems(recs: &[Rec]) -> Vec<&Problem> {
    recs.iter()
        .filter_map(|r| match r {
            Rec::Problem(p) => Some(p),
            Rec::File { .. } => None,
        })
        .collect()
}

fn problem_of(recs: &[Rec], kind: ProblemKind) -> Vec<&Problem> {
    problems(recs)
        .into_iter()
        .filter(|p| p.kind == kind)
        .collect()
}

fn data_of<'a>(recs: &'a [Rec], path: &str) -> &'a [u8] {
    files(recs)
        .into_iter()
        .find(|(p, _)| *p == path)
        .unwrap_or_else(|| panic!("{path} not yielded; got {recs:#?}"))
        .1
}

// ---------------------------------------------------------------------------
// Fixture builders

fn p(dir: &Path, rel: &str) -> String {
    dir.join(rel).to_string_lossy().into_owned()
}

fn write(dir: &Path, rel: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, data).unwrap();
    path
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, data) in entries {
        if name.ends_with('/') {
            w.add_directory(*name, opts).unwrap();
        } else {
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

/// Incompressible bytes, deterministic.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A raw deflate stream of `mib` MiB of zeros, built in milliseconds: one
/// full-flushed block of 1 MiB (independent of what precedes it) repeated.
fn deflate_zeros(mib: usize) -> Vec<u8> {
    let mut c = Compress::new(Compression::default(), false);
    let zeros = vec![0u8; 1 << 20];
    let mut block = Vec::with_capacity(1 << 16);
    c.compress_vec(&zeros, &mut block, FlushCompress::Full)
        .unwrap();
    assert_eq!(c.total_in(), 1 << 20);
    let mut tail = Vec::with_capacity(64);
    c.compress_vec(&[], &mut tail, FlushCompress::Finish)
        .unwrap();
    let mut out = Vec::with_capacity(block.len() * mib + tail.len());
    for _ in 0..mib {
        out.extend_from_slice(&block);
    }
    out.extend_from_slice(&tail);
    out
}

/// A gzip member around a raw deflate stream (checksum left wrong: the
/// walker must cut the stream long before reaching it).
fn gzip_around(deflate: &[u8], len: u64) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(deflate);
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(len as u32).to_le_bytes());
    out
}

struct RawEntry<'a> {
    name: &'a str,
    method: u16,
    crc: u32,
    declared_size: u32,
    data: &'a [u8],
}

fn crc(data: &[u8]) -> u32 {
    let mut c = Crc::new();
    c.update(data);
    c.sum()
}

/// A zip written by hand, so that its sizes can say anything.
fn raw_zip(entries: &[RawEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed
            v.extend_from_slice(&0u16.to_le_bytes()); // flags
            v.extend_from_slice(&e.method.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // time
            v.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
            v.extend_from_slice(&e.crc.to_le_bytes());
            v.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            v.extend_from_slice(&e.declared_size.to_le_bytes());
            v.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra length
        };
        out.extend_from_slice(&0x04034b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(e.data);
        central.extend_from_slice(&0x02014b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        common(&mut central);
        central.extend_from_slice(&[0; 6]); // comment len, disk, internal attrs
        central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(e.name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x06054b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// Counts what the walker pulls from a source.
struct Counting<'c, R> {
    inner: R,
    count: &'c Cell<u64>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

// ---------------------------------------------------------------------------
// Folders

#[test]
fn folders_are_walked_recursively_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    write(&root, "z.txt", b"z");
    write(&root, "a.txt", b"a");
    write(&root, "sub/deeper/c.txt", b"c");
    write(&root, "sub/b.txt", b"b");
    write(&root, "B.txt", b"B");
    fs::create_dir_all(root.join("empty")).unwrap();
    let inputs = vec![root.clone()];
    let first = run(&inputs, &Limits::default());
    assert_eq!(
        paths(&first),
        [
            p(&root, "B.txt"),
            p(&root, "a.txt"),
            p(&root, "sub/b.txt"),
            p(&root, "sub/deeper/c.txt"),
            p(&root, "z.txt"),
        ]
    );
    assert!(problems(&first).is_empty(), "{first:#?}");
    assert_eq!(data_of(&first, &p(&root, "sub/deeper/c.txt")), b"c");
    if let Rec::File { size, depth, .. } = &first[0] {
        assert_eq!((*size, *depth), (Some(1), 0));
    }
    for _ in 0..3 {
        assert_eq!(run(&inputs, &Limits::default()), first, "deterministic");
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links_are_reported_and_the_walk_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    write(&root, "a.txt", b"a");
    write(&root, "sub/b.txt", b"b");
    std::os::unix::fs::symlink(&root, root.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling")).unwrap();
    std::os::unix::fs::symlink(root.join("a.txt"), root.join("sub/link.txt")).unwrap();
    write(&root, "z.txt", b"z");
    let recs = run(std::slice::from_ref(&root), &Limits::default());
    assert_eq!(
        paths(&recs),
        [
            p(&root, "a.txt"),
            p(&root, "sub/b.txt"),
            p(&root, "sub/link.txt"),
            p(&root, "z.txt"),
        ]
    );
    let loops = problem_of(&recs, ProblemKind::SymlinkLoop);
    assert_eq!(loops.len(), 1, "{recs:#?}");
    assert_eq!(loops[0].path, p(&root, "sub/loop"));
    let dangling = problem_of(&recs, ProblemKind::NotFound);
    assert_eq!(dangling.len(), 1, "{recs:#?}");
    assert_eq!(dangling[0].path, p(&root, "dangling"));
}

#[test]
fn missing_inputs_are_reported_and_later_inputs_still_walked() {
    let dir = tempfile::tempdir().unwrap();
    let there = write(dir.path(), "there.txt", b"here");
    let missing = dir.path().join("missing.txt");
    let recs = run(&[missing.clone(), there.clone()], &Limits::default());
    assert_eq!(
        recs[0],
        Rec::Problem(Problem {
            path: missing.to_string_lossy().into_owned(),
            kind: ProblemKind::NotFound,
            message: match &recs[0] {
                Rec::Problem(p) => p.message.clone(),
                _ => panic!("{recs:#?}"),
            },
        })
    );
    assert_eq!(paths(&recs), [there.to_string_lossy()]);
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    write(&root, "a.txt", b"a");
    let secret = write(&root, "secret.txt", b"s");
    write(&root, "shut/inner.txt", b"i");
    write(&root, "z.txt", b"z");
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(root.join("shut"), fs::Permissions::from_mode(0o000)).unwrap();
    if fs::File::open(&secret).is_ok() {
        // Root (or CAP_DAC_OVERRIDE) reads everything: nothing to check.
        fs::set_permissions(root.join("shut"), fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: running with privileges that ignore file modes");
        return;
    }
    let recs = run(std::slice::from_ref(&root), &Limits::default());
    fs::set_permissions(root.join("shut"), fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(paths(&recs), [p(&root, "a.txt"), p(&root, "z.txt")]);
    let denied: Vec<_> = problem_of(&recs, ProblemKind::PermissionDenied)
        .into_iter()
        .map(|p| p.path.clone())
        .collect();
    assert_eq!(denied, [p(&root, "secret.txt"), p(&root, "shut")]);
}

#[cfg(unix)]
#[test]
fn latin1_bytes_pass_through_untouched() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let latin1: &[u8] = b"Caf\xe9 \xa0 na\xefve \xff\x00 end";
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    write(&root, "plain.txt", latin1);
    write(&root, "packed.txt.gz", &gz(latin1));
    write(&root, "packed.zip", &zip(&[("inside.txt", latin1)]));
    let odd_name = root.join(OsStr::from_bytes(b"r\xe9sum\xe9.txt"));
    fs::write(&odd_name, latin1).unwrap();
    let mut disk = Vec::new();
    let mut recs = Vec::new();
    walk(std::slice::from_ref(&root), &Limits::default(), &mut |e| {
        if let Event::File(entry) = &e {
            disk.push(entry.disk_path().map(Path::to_path_buf));
        }
        recs.push(record(e));
    });
    assert!(problems(&recs).is_empty(), "{recs:#?}");
    assert_eq!(files(&recs).len(), 4);
    for (_, data) in files(&recs) {
        assert_eq!(data, latin1);
    }
    assert_eq!(data_of(&recs, &p(&root, "packed.txt")), latin1);
    assert_eq!(data_of(&recs, &p(&root, "packed.zip!inside.txt")), latin1);
    // The file name is shown lossily, but the disk path is exact.
    assert_eq!(disk[3].as_deref(), Some(odd_name.as_path()));
    assert!(paths(&recs)[3].ends_with("r\u{fffd}sum\u{fffd}.txt"));
}

// ---------------------------------------------------------------------------
// Archives

#[test]
fn archives_are_opened_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let members: &[(&str, &[u8])] = &[("x/cable.txt", b"cable one"), ("x/two.txt", b"two")];
    write(&root, "cable.html.gz", &gz(b"<html>cable</html>"));
    write(&root, "disguised.bin", &zip(members));
    write(&root, "gzipped.dat", &gz(b"no suffix"));
    write(&root, "pack.tar", &tar(members));
    write(&root, "pack.tar.gz", &gz(&tar(members)));
    write(&root, "pack.tgz", &gz(&tar(members)));
    write(
        &root,
        "pack.zip",
        &zip(&[("dir/", b""), ("dir/a.txt", b"a"), ("b.txt", b"bb")]),
    );
    write(&root, "tarball", &tar(members));
    let recs = run(std::slice::from_ref(&root), &Limits::default());
    assert!(problems(&recs).is_empty(), "{recs:#?}");
    let expected = [
        ("cable.html", &b"<html>cable</html>"[..], None, 1),
        ("disguised.bin!x/cable.txt", b"cable one", Some(9), 1),
        ("disguised.bin!x/two.txt", b"two", Some(3), 1),
        ("gzipped.dat", b"no suffix", None, 1),
        ("pack.tar!x/cable.txt", b"cable one", Some(9), 1),
        ("pack.tar!x/two.txt", b"two", Some(3), 1),
        ("pack.tar.gz!x/cable.txt", b"cable one", Some(9), 1),
        ("pack.tar.gz!x/two.txt", b"two", Some(3), 1),
        ("pack.tgz!x/cable.txt", b"cable one", Some(9), 1),
        ("pack.tgz!x/two.txt", b"two", Some(3), 1),
        ("pack.zip!dir/a.txt", b"a", Some(1), 1),
        ("pack.zip!b.txt", b"bb", Some(2), 1),
        ("tarball!x/cable.txt", b"cable one", Some(9), 1),
        ("tarball!x/two.txt", b"two", Some(3), 1),
    ];
    let got: Vec<_> = recs
        .iter()
        .map(|r| match r {
            Rec::File {
                path,
                size,
                depth,
                data,
            } => (path.clone(), data.clone(), *size, *depth),
            Rec::Problem(_) => unreachable!(),
        })
        .collect();
    let want: Vec<_> = expected
        .iter()
        .map(|(rel, data, size, depth)| (p(&root, rel), data.to_vec(), *size, *depth))
        .collect();
    assert_eq!(got, want);
}

/// l1.zip > l2.tar.gz > l3.zip > l4.tar > l5.zip, a cable at every level.
fn nested_archive(dir: &Path) -> PathBuf {
    let l5 = zip(&[("cable5.txt", b"five")]);
    let l4 = tar(&[("cable4.txt", b"four"), ("l5.zip", &l5)]);
    let l3 = zip(&[("cable3.txt", b"three"), ("l4.tar", &l4)]);
    let l2 = gz(&tar(&[("cable2.txt", b"two"), ("l3.zip", &l3)]));
    write(
        dir,
        "l1.zip",
        &zip(&[("cable1.txt", b"one"), ("l2.tar.gz", &l2)]),
    )
}

#[test]
fn archives_nest_up_to_the_depth_limit() {
    let dir = tempfile::tempdir().unwrap();
    let l1 = nested_archive(dir.path());
    let top = l1.to_string_lossy().into_owned();
    let recs = run(std::slice::from_ref(&l1), &Limits::default());
    let depths: Vec<_> = recs
        .iter()
        .filter_map(|r| match r {
            Rec::File { path, depth, .. } => Some((path.clone(), *depth)),
            Rec::Problem(_) => None,
        })
        .collect();
    assert_eq!(
        depths,
        [
            (format!("{top}!cable1.txt"), 1),
            (format!("{top}!l2.tar.gz!cable2.txt"), 2),
            (format!("{top}!l2.tar.gz!l3.zip!cable3.txt"), 3),
            (format!("{top}!l2.tar.gz!l3.zip!l4.tar!cable4.txt"), 4),
        ]
    );
    let deep = problems(&recs);
    assert_eq!(deep.len(), 1, "{recs:#?}");
    assert_eq!(deep[0].kind, ProblemKind::TooDeep);
    assert_eq!(
        deep[0].path,
        format!("{top}!l2.tar.gz!l3.zip!l4.tar!l5.zip")
    );

    let deeper = Limits {
        max_archive_depth: 5,
        ..Limits::default()
    };
    let recs = run(&[l1], &deeper);
    assert!(problems(&recs).is_empty(), "{recs:#?}");
    assert_eq!(
        data_of(
            &recs,
            &format!("{top}!l2.tar.gz!l3.zip!l4.tar!l5.zip!cable5.txt")
        ),
        b"five"
    );
}

#[test]
fn a_zip_nested_past_the_buffer_cap_is_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let inner = zip(&[("a.txt", b"alpha"), ("b.txt", &noise(5000, 1))]);
    let outer = write(dir.path(), "outer.tar", &tar(&[("inner.zip", &inner)]));
    let top = outer.to_string_lossy().into_owned();
    let limits = Limits {
        max_zip_buffer_bytes: 100,
        ..Limits::default()
    };
    let recs = run(&[outer], &limits);
    assert!(problems(&recs).is_empty(), "{recs:#?}");
    assert_eq!(data_of(&recs, &format!("{top}!inner.zip!a.txt")), b"alpha");
    assert_eq!(
        data_of(&recs, &format!("{top}!inner.zip!b.txt")),
        noise(5000, 1)
    );
}

#[test]
fn truncated_tar_gz_yields_what_came_before_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (noise(100_000, 1), noise(100_000, 2), noise(100_000, 3));
    let whole = gz(&tar(&[("a.bin", &a), ("b.bin", &b), ("c.bin", &c)]));
    let cut = write(dir.path(), "cut.tar.gz", &whole[..whole.len() * 55 / 100]);
    let top = cut.to_string_lossy().into_owned();
    let recs = run(&[cut], &Limits::default());
    assert_eq!(data_of(&recs, &format!("{top}!a.bin")), a);
    assert!(!paths(&recs).contains(&format!("{top}!c.bin").as_str()));
    let corrupt = problem_of(&recs, ProblemKind::Corrupt);
    assert!(!corrupt.is_empty(), "{recs:#?}");
    assert!(corrupt.iter().any(|p| p.path == format!("{top}!b.bin")));
}

#[test]
fn truncated_zip_yields_what_came_before_the_damage() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (noise(100_000, 1), noise(100_000, 2), noise(100_000, 3));
    let whole = zip(&[("a.bin", &a), ("b.bin", &b), ("c.bin", &c)]);
    let cut = write(dir.path(), "cut.zip", &whole[..whole.len() * 50 / 100]);
    let top = cut.to_string_lossy().into_owned();
    let recs = run(std::slice::from_ref(&cut), &Limits::default());
    assert_eq!(data_of(&recs, &format!("{top}!a.bin")), a);
    assert!(!paths(&recs).contains(&format!("{top}!c.bin").as_str()));
    let corrupt = problem_of(&recs, ProblemKind::Corrupt);
    assert!(corrupt.iter().any(|p| p.path == top), "{recs:#?}");
    assert!(corrupt.iter().any(|p| p.path == format!("{top}!b.bin")));

    // The same, nested in a tar (buffered in memory rather than on disk).
    let outer = write(
        dir.path(),
        "outer.tar",
        &tar(&[("cut.zip", &fs::read(&cut).unwrap())]),
    );
    let recs = run(std::slice::from_ref(&outer), &Limits::default());
    let top = format!("{}!cut.zip", outer.to_string_lossy());
    assert_eq!(data_of(&recs, &format!("{top}!a.bin")), a);
    assert!(problem_of(&recs, ProblemKind::Corrupt)
        .iter()
        .any(|p| p.path == top));
}

#[test]
fn too_many_entries_are_cut() {
    let dir = tempfile::tempdir().unwrap();
    let members: Vec<(String, Vec<u8>)> = (0..5)
        .map(|i| (format!("f{i}.txt"), vec![b'x'; i]))
        .collect();
    let refs: Vec<(&str, &[u8])> = members
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    write(dir.path(), "many.tar", &tar(&refs));
    write(dir.path(), "many.zip", &zip(&refs));
    let limits = Limits {
        max_entries: 3,
        ..Limits::default()
    };
    let recs = run(&[dir.path().to_path_buf()], &limits);
    assert_eq!(files(&recs).len(), 6, "{recs:#?}");
    assert_eq!(problem_of(&recs, ProblemKind::TooManyEntries).len(), 2);
}

// ---------------------------------------------------------------------------
// Bombs and budgets

#[test]
fn the_bomb_generator_is_valid_deflate() {
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(&deflate_zeros(3)[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out.len(), 3 << 20);
    assert!(out.iter().all(|&b| b == 0));
}

#[test]
fn a_gzip_bomb_is_cut_before_it_expands_past_the_ratio() {
    let bomb = gzip_around(&deflate_zeros(200), 200 << 20);
    let limits = Limits::default();
    let consumed = Cell::new(0u64);
    let mut src = Counting {
        inner: &bomb[..],
        count: &consumed,
    };
    let mut recs = Vec::new();
    let mut delivered = 0u64;
    walk_reader("bomb.bin.gz", &mut src, &limits, &mut |e| match e {
        Event::File(mut entry) => {
            assert_eq!(entry.path(), "bomb.bin");
            let mut chunk = vec![0u8; 64 * 1024];
            while let Ok(n) = entry.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                delivered += n as u64;
                // Never more than the ratio allows for what was consumed.
                assert!(delivered <= (consumed.get() * limits.max_ratio).max(1 << 20));
            }
        }
        Event::Problem(p) => recs.push(p),
    });
    assert_eq!(recs.len(), 1, "{recs:#?}");
    assert_eq!(recs[0].kind, ProblemKind::Bomb);
    assert_eq!(recs[0].path, "bomb.bin.gz");
    assert!(
        consumed.get() < bomb.len() as u64 / 4,
        "read {} of {} compressed bytes",
        consumed.get(),
        bomb.len()
    );
    assert!(
        delivered > 0 && delivered < 16 << 20,
        "delivered {delivered}"
    );
}

#[test]
fn a_zip_bomb_is_skipped_unread_and_the_rest_of_the_zip_comes_out() {
    let dir = tempfile::tempdir().unwrap();
    let zeros = deflate_zeros(200);
    let after = b"after the bomb";
    let bomb = raw_zip(&[
        RawEntry {
            name: "zeros.bin",
            method: 8,
            crc: 0,
            declared_size: 200 << 20,
            data: &zeros,
        },
        RawEntry {
            name: "after.txt",
            method: 0,
            crc: crc(after),
            declared_size: after.len() as u32,
            data: after,
        },
    ]);
    let path = write(dir.path(), "bomb.zip", &bomb);
    let top = path.to_string_lossy().into_owned();
    let recs = run(&[path], &Limits::default());
    assert_eq!(
        recs[0],
        Rec::Problem(Problem {
            path: format!("{top}!zeros.bin"),
            kind: ProblemKind::Bomb,
            message: match &recs[0] {
                Rec::Problem(p) => p.message.clone(),
                _ => panic!("{recs:#?}"),
            },
        })
    );
    assert_eq!(paths(&recs), [format!("{top}!after.txt")]);
    assert_eq!(data_of(&recs, &format!("{top}!after.txt")), after);
}

#[test]
fn a_zip_entry_that_lies_about_its_size_is_cut_at_the_declared_size() {
    let zeros = deflate_zeros(200);
    let lying = raw_zip(&[RawEntry {
        name: "small.txt",
        method: 8,
        crc: 0,
        declared_size: 1000,
        data: &zeros,
    }]);
    let mut recs = Vec::new();
    walk_reader("lying.zip", &mut &lying[..], &Limits::default(), &mut |e| {
        recs.push(record(e));
    });
    assert_eq!(data_of(&recs, "lying.zip!small.txt"), vec![0u8; 1000]);
    let corrupt = problem_of(&recs, ProblemKind::Corrupt);
    assert_eq!(corrupt.len(), 1, "{recs:#?}");
    assert!(corrupt[0].message.contains("declared size"), "{recs:#?}");
}

#[test]
fn the_expansion_budget_stops_one_file_but_not_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let parts: Vec<Vec<u8>> = (0..4).map(|i| noise(300_000, i)).collect();
    let members: Vec<(&str, &[u8])> = ["p0", "p1", "p2", "p3"]
        .into_iter()
        .zip(parts.iter().map(Vec::as_slice))
        .collect();
    let big = write(dir.path(), "a-big.tar.gz", &gz(&tar(&members)));
    write(dir.path(), "b-small.txt.gz", &gz(b"still here"));
    let top = big.to_string_lossy().into_owned();
    let limits = Limits {
        max_expanded_bytes: 700_000,
        ..Limits::default()
    };
    let recs = run(&[dir.path().to_path_buf()], &limits);
    assert_eq!(data_of(&recs, &format!("{top}!p0")), parts[0]);
    assert_eq!(data_of(&recs, &format!("{top}!p1")), parts[1]);
    assert!(!paths(&recs).contains(&format!("{top}!p3").as_str()));
    let spent = problems(&recs);
    assert_eq!(spent.len(), 1, "{spent:#?}");
    assert_eq!(spent[0].kind, ProblemKind::ExpansionBudget);
    assert_eq!(spent[0].path, top);
    assert_eq!(data_of(&recs, &p(dir.path(), "b-small.txt")), b"still here");
}

// ---------------------------------------------------------------------------
// Streaming and sizes

#[test]
fn entries_stream_without_being_buffered() {
    const BIG: u64 = 20 << 20;
    let mut builder = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(BIG);
    h.set_mode(0o644);
    builder
        .append_data(&mut h, "cables.csv", io::repeat(b'c').take(BIG))
        .unwrap();
    let archive = builder.into_inner().unwrap();
    let consumed = Cell::new(0u64);
    let mut src = Counting {
        inner: &archive[..],
        count: &consumed,
    };
    let mut seen = 0u64;
    walk_reader("big.tar", &mut src, &Limits::default(), &mut |e| match e {
        Event::File(mut entry) => {
            assert_eq!(entry.size(), Some(BIG));
            assert!(entry.exceeds_max_file_bytes() || BIG <= 64 << 20);
            // The walker has only sniffed the start when the visitor begins.
            assert!(consumed.get() < 64 * 1024, "pre-read {}", consumed.get());
            let mut chunk = vec![0u8; 64 * 1024];
            loop {
                let n = entry.read(&mut chunk).unwrap();
                if n == 0 {
                    break;
                }
                seen += n as u64;
                assert!(consumed.get() <= seen + 64 * 1024 + 1024);
            }
        }
        Event::Problem(p) => panic!("{p}"),
    });
    assert_eq!(seen, BIG);
}

#[test]
fn a_large_plain_stream_passes_through() {
    const BIG: u64 = 2 << 30; // a 2 GiB cables.csv on standard input
    let mut src = io::repeat(b'x').take(BIG);
    let mut seen = 0u64;
    walk_reader("-", &mut src, &Limits::default(), &mut |e| match e {
        Event::File(mut entry) => {
            assert_eq!(entry.path(), "-");
            assert_eq!(entry.size(), None);
            seen = io::copy(&mut entry, &mut io::sink()).unwrap();
        }
        Event::Problem(p) => panic!("{p}"),
    });
    assert_eq!(seen, BIG);
}

#[test]
fn a_consumer_can_decline_files_over_max_file_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let big = write(dir.path(), "big.html", &[b'x'; 100]);
    write(dir.path(), "big.html.gz", &gz(&[b'y'; 100]));
    write(dir.path(), "small.html", &[b'z'; 10]);
    let limits = Limits {
        max_file_bytes: 50,
        ..Limits::default()
    };
    let mut loaded = Vec::new();
    let mut recs = Vec::new();
    walk(&[dir.path().to_path_buf()], &limits, &mut |e| match e {
        Event::File(mut entry) => {
            let mut buf = Vec::new();
            if entry.read_to_end_capped(&mut buf).is_ok() {
                loaded.push((entry.path().to_owned(), buf));
            }
        }
        Event::Problem(p) => recs.push(p),
    });
    assert_eq!(loaded, [(p(dir.path(), "small.html"), vec![b'z'; 10])]);
    let too_large: Vec<_> = recs
        .iter()
        .filter(|p| p.kind == ProblemKind::TooLarge)
        .map(|p| p.path.clone())
        .collect();
    assert_eq!(
        too_large,
        [
            big.to_string_lossy().into_owned(),
            p(dir.path(), "big.html")
        ]
    );
    assert_eq!(recs.len(), 2, "{recs:#?}");
}

// ---------------------------------------------------------------------------
// Special files and files that change while read

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn a_fifo_named_as_an_input_is_refused_without_being_opened() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let after = write(dir.path(), "after.txt", b"still read");
    // Opening a FIFO nobody writes to blocks forever: the walk returning at all
    // is the test; the problem names the FIFO and the next input is still read.
    let recs = run(&[fifo.clone(), after], &Limits::default());
    let refused = problem_of(&recs, ProblemKind::NotAFile);
    assert_eq!(refused.len(), 1, "{recs:?}");
    assert_eq!(refused[0].path, fifo.display().to_string());
    assert!(refused[0].message.contains("standard input"));
    assert_eq!(files(&recs).len(), 1);
}

#[test]
fn a_fifo_inside_a_folder_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("pipe"));
    write(dir.path(), "a.txt", b"a");
    let recs = run(&[dir.path().to_path_buf()], &Limits::default());
    assert_eq!(paths(&recs), [p(dir.path(), "a.txt")]);
    assert_eq!(problem_of(&recs, ProblemKind::NotAFile).len(), 1);
}

#[test]
fn a_file_that_grows_while_read_whole_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cable.txt", b"first version\n");
    let mut result = None;
    let mut reported = Vec::new();
    walk(
        std::slice::from_ref(&path),
        &Limits::default(),
        &mut |e| match e {
            Event::File(mut entry) => {
                // Another process appends between the open and the read.
                let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
                f.write_all(b"second half\n").unwrap();
                let mut buf = b"kept".to_vec();
                result = Some(
                    entry
                        .read_to_end_capped(&mut buf)
                        .map_err(|e| e.to_string()),
                );
                assert_eq!(buf, b"kept", "nothing of a changed file is handed over");
            }
            Event::Problem(p) => reported.push(p),
        },
    );
    let err = result.expect("the file was visited").unwrap_err();
    assert!(err.contains("changed while it was read"), "{err}");
    assert_eq!(reported.len(), 1);
    assert_eq!(reported[0].kind, ProblemKind::Changed);
}

#[test]
fn a_file_rewritten_after_a_streaming_read_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cable.txt", b"first version\n");
    let mut reported = Vec::new();
    walk(
        std::slice::from_ref(&path),
        &Limits::default(),
        &mut |e| match e {
            Event::File(mut entry) => {
                let mut s = String::new();
                entry.read_to_string(&mut s).unwrap();
                assert_eq!(s, "first version\n");
                fs::write(&path, b"a different, longer version\n").unwrap();
            }
            Event::Problem(p) => reported.push(p),
        },
    );
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert_eq!(reported[0].kind, ProblemKind::Changed);
}

#[test]
fn an_unchanged_file_reads_whole_without_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cable.txt", b"stable\n");
    let mut got = None;
    let mut reported = Vec::new();
    walk(&[path], &Limits::default(), &mut |e| match e {
        Event::File(mut entry) => {
            let mut buf = Vec::new();
            got = Some(entry.read_to_end_capped(&mut buf).map(|_| buf));
        }
        Event::Problem(p) => reported.push(p),
    });
    assert_eq!(got.unwrap().unwrap(), b"stable\n");
    assert!(reported.is_empty(), "{reported:?}");
}

#[test]
fn skipped_folders_are_not_entered() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cables/a.txt", b"a");
    write(dir.path(), "archive/index/.managed.json", b"{}");
    write(dir.path(), "archive/store.db", b"SQLite format 3");
    let limits = Limits {
        // Named by another spelling of the same folder: compared canonically.
        skip_dirs: vec![dir.path().join("cables/../archive")],
        ..Limits::default()
    };
    let recs = run(&[dir.path().to_path_buf()], &limits);
    assert_eq!(paths(&recs), [p(dir.path(), "cables/a.txt")]);
    assert!(problems(&recs).is_empty());
    let all = run(&[dir.path().to_path_buf()], &Limits::default());
    assert_eq!(paths(&all).len(), 3);
}

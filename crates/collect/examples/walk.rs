//! Lists every file found in the given folders, files and archives (`-` is
//! standard input), with its size and a checksum, and every problem met.
//!
//! ```text
//! cargo run -p cablescope-collect --example walk -- some/folder cables.tar.gz
//! ```

use std::io::Read;
use std::path::PathBuf;

use cablescope_collect::{walk, Event, Limits};

fn main() {
    let inputs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let (mut files, mut problems) = (0u64, 0u64);
    walk(&inputs, &Limits::default(), &mut |event| match event {
        Event::File(mut entry) => {
            files += 1;
            // Stream in chunks: entries may be larger than memory.
            let (mut bytes, mut sum) = (0u64, 0u32);
            let mut chunk = vec![0u8; 64 * 1024];
            loop {
                match entry.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => {
                        bytes += n as u64;
                        sum = chunk[..n]
                            .iter()
                            .fold(sum, |s, &b| s.rotate_left(5) ^ u32::from(b));
                    }
                    // The walker reports the error as a problem next.
                    Err(_) => break,
                }
            }
            println!("{}\t{bytes}\t{sum:08x}", entry.path());
        }
        Event::Problem(problem) => {
            problems += 1;
            eprintln!("problem ({:?}): {problem}", problem.kind);
        }
    });
    eprintln!("{files} files, {problems} problems");
}

//! Listing the files of a test data folder.

use std::path::{Path, PathBuf};

/// Every file below `dir` at any depth, sorted by path, so tests read a folder of
/// fixtures or real data in the same order on every machine.
///
/// # Panics
///
/// When a folder cannot be read (missing test data is a failed test), naming it.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("reading {}: {e}", d.display()));
        for entry in entries {
            let p = entry
                .unwrap_or_else(|e| panic!("reading {}: {e}", d.display()))
                .path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write;

    #[test]
    fn lists_files_at_every_depth_sorted_without_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(root, "b/2.txt", "");
        write(root, "a/deep/er/1.html", "");
        write(root, "0.txt", "");
        std::fs::create_dir(root.join("empty")).unwrap();
        let rel: Vec<String> = files_under(root)
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(rel, ["0.txt", "a/deep/er/1.html", "b/2.txt"]);
    }

    #[test]
    #[should_panic(expected = "reading")]
    fn a_missing_folder_is_a_failure() {
        let tmp = tempfile::tempdir().unwrap();
        files_under(&tmp.path().join("nowhere"));
    }
}

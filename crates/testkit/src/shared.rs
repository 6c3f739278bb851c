//! Locating the real data in `../shared` beside the checkout.
//!
//! Tests over the real cables call [`shared_dir`] and return early on `None`: a
//! developer without the data still gets a passing run (with a notice), while CI,
//! which must have it, fails loudly instead of passing without testing anything.

use std::path::{Path, PathBuf};

/// The folder `../shared/<sub>` beside the checkout (`sub` such as `corpus` or
/// `seed`), or `None` after printing a notice when it is not there.
///
/// # Panics
///
/// When the folder is missing and the `CI` environment variable is `true` or `1`:
/// in CI a skipped real-data test would be a silent pass.
pub fn shared_dir(sub: &str) -> Option<PathBuf> {
    // This crate sits at crates/testkit, two levels below the checkout, like every
    // crate of the workspace; `shared` is the checkout's sibling.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    locate(&root, sub, ci())
}

/// True when running in CI, by the `CI` variable most CI services set.
pub(crate) fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// [`shared_dir`] with the root and the CI flag given, so both cases can be tested.
fn locate(root: &Path, sub: &str, ci: bool) -> Option<PathBuf> {
    let dir = root.join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    if ci {
        panic!(
            "../shared/{sub} is missing: CI must have the shared data beside the clone ({})",
            dir.display()
        );
    }
    eprintln!(
        "notice: {} not found; skipping a test that needs the real cables",
        dir.display()
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_present_folder_is_returned_in_and_out_of_ci() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("corpus")).unwrap();
        let want = tmp.path().join("corpus");
        assert_eq!(locate(tmp.path(), "corpus", false), Some(want.clone()));
        assert_eq!(locate(tmp.path(), "corpus", true), Some(want));
    }

    #[test]
    fn a_missing_folder_skips_outside_ci() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(locate(tmp.path(), "corpus", false), None);
        // A file of that name is not the data folder.
        std::fs::write(tmp.path().join("seed"), "x").unwrap();
        assert_eq!(locate(tmp.path(), "seed", false), None);
    }

    #[test]
    #[should_panic(expected = "../shared/corpus is missing")]
    fn a_missing_folder_fails_in_ci() {
        let tmp = tempfile::tempdir().unwrap();
        locate(tmp.path(), "corpus", true);
    }
}

//! A PostgreSQL database per test, for the suites that run against both stores.
//!
//! The tests reach a throwaway cluster through `CABLESCOPE_TEST_DATABASE`, a URL
//! with rights to create databases (`scripts/pg-cluster.sh start DIR` starts one
//! and prints it; `.ci/run` does so in CI). Without it a local run skips the
//! PostgreSQL half of a test with a notice, while CI (`CI=true`) fails: a skipped
//! backend there would be a silent pass.
//!
//! [`database_for`] names the database after a directory, so a test that reopens
//! the same archive directory reopens the same database, and two tests (two temp
//! directories) never share one.

use std::path::Path;

/// The environment variable naming the test cluster.
pub const TEST_DATABASE_VAR: &str = "CABLESCOPE_TEST_DATABASE";

/// The environment variable that makes the suites that open archives through
/// their `open` helper use PostgreSQL instead of the embedded store
/// (`CABLESCOPE_TEST_BACKEND=postgres`).
pub const TEST_BACKEND_VAR: &str = "CABLESCOPE_TEST_BACKEND";

/// True when the suites should run on PostgreSQL ([`TEST_BACKEND_VAR`] is
/// `postgres` or `partitioned`).
pub fn postgres_backend() -> bool {
    std::env::var(TEST_BACKEND_VAR).is_ok_and(|v| v == "postgres" || v == "partitioned")
}

/// True when the suites should run on PostgreSQL with the records partitioned
/// across two servers (`CABLESCOPE_TEST_BACKEND=partitioned`; see [`shards_for`]).
pub fn partitioned_backend() -> bool {
    std::env::var(TEST_BACKEND_VAR).is_ok_and(|v| v == "partitioned")
}

/// The environment variable naming a second, independent test cluster, where
/// the partitioned suites put one of their two shards (`.ci/run` starts one).
pub const TEST_SHARD_VAR: &str = "CABLESCOPE_TEST_SHARD";

/// Two shard databases for the test database `database` (a URL made by
/// [`database_for`]), created when absent: one on the test cluster and one on
/// the cluster named by [`TEST_SHARD_VAR`], so the records of a partitioned
/// store really live on two servers; `None` after a notice when no second
/// cluster is configured.
///
/// # Panics
///
/// When the variable is unset in CI or on the partitioned pass.
pub fn shards_for(database: &str) -> Option<[String; 2]> {
    let second = match std::env::var(TEST_SHARD_VAR) {
        Ok(u) if !u.trim().is_empty() => u.trim().to_string(),
        _ => {
            assert!(
                !crate::shared::ci() && !partitioned_backend(),
                "{TEST_SHARD_VAR} is not set: CI partitions test stores across two clusters \
                 (scripts/pg-cluster.sh start DIR PORT prints the URL to set)"
            );
            eprintln!(
                "notice: {TEST_SHARD_VAR} not set; skipping a partitioning test \
                 (scripts/pg-cluster.sh start DIR PORT prints the URL to set)"
            );
            return None;
        }
    };
    let admin = cluster_url()?;
    let name = name_in(database);
    std::thread::scope(|s| {
        s.spawn(|| {
            [
                create(&admin, &format!("{name}_s0")),
                create(&second, &format!("{name}_s1")),
            ]
        })
        .join()
    })
    .map(Some)
    .unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// The test cluster's URL, or `None` after printing a notice.
///
/// # Panics
///
/// When the variable is unset and `CI` is `true` or `1`, or when the suites were
/// asked to run on PostgreSQL ([`postgres_backend`]) without it.
pub fn cluster_url() -> Option<String> {
    match std::env::var(TEST_DATABASE_VAR) {
        Ok(u) if !u.trim().is_empty() => Some(u.trim().to_string()),
        _ => {
            if crate::shared::ci() || postgres_backend() {
                panic!(
                    "{TEST_DATABASE_VAR} is not set: CI runs every store test on PostgreSQL too \
                     (scripts/pg-cluster.sh start DIR prints the URL to set)"
                );
            }
            eprintln!(
                "notice: {TEST_DATABASE_VAR} not set; skipping the PostgreSQL half of a test \
                 (scripts/pg-cluster.sh start DIR prints the URL to set)"
            );
            None
        }
    }
}

/// A database of its own for the archive directory `dir` on the test cluster
/// (created when absent), as a URL; `None` when no cluster is configured (after
/// [`cluster_url`]'s notice).
pub fn database_for(dir: &Path) -> Option<String> {
    let admin = cluster_url()?;
    let name = database_name(dir);
    // On a plain thread: the synchronous client refuses to run inside an async
    // test's runtime.
    let url = std::thread::scope(|s| s.spawn(|| create(&admin, &name)).join())
        .unwrap_or_else(|p| std::panic::resume_unwind(p));
    Some(url)
}

/// Runs `sql` (one or more statements) on the database at `url`: tests that
/// tamper with stored rows do it this way on the PostgreSQL pass.
///
/// # Panics
///
/// When the database cannot be reached or a statement fails.
pub fn execute(url: &str, sql: &str) {
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut c = postgres::Client::connect(url, postgres::NoTls)
                .unwrap_or_else(|e| panic!("cannot reach {url}: {e}"));
            c.batch_execute(sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        })
        .join()
    })
    .unwrap_or_else(|p| std::panic::resume_unwind(p));
}

/// The first column of the first row `sql` returns on the database at `url`,
/// as an integer (`count(*)` and the like).
///
/// # Panics
///
/// When the database cannot be reached or the query fails.
pub fn query_i64(url: &str, sql: &str) -> i64 {
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut c = postgres::Client::connect(url, postgres::NoTls)
                .unwrap_or_else(|e| panic!("cannot reach {url}: {e}"));
            c.query_one(sql, &[])
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .get::<_, i64>(0)
        })
        .join()
    })
    .unwrap_or_else(|p| std::panic::resume_unwind(p))
}

fn create(admin: &str, name: &str) -> String {
    let mut client = postgres::Client::connect(admin, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot reach the test cluster at {admin}: {e}"));
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .expect("query pg_database")
        .is_some();
    if !exists {
        // Two threads may race to create it; the loser finds it made.
        if let Err(e) = client.batch_execute(&format!("CREATE DATABASE {name}")) {
            let again = client
                .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
                .expect("query pg_database")
                .is_some();
            assert!(again, "cannot create the test database {name}: {e}");
        }
    }
    with_database(admin, name)
}

/// The environment variable naming a streaming replica of the test cluster
/// (`scripts/pg-cluster.sh replica` starts one; `.ci/run` does).
pub const TEST_REPLICA_VAR: &str = "CABLESCOPE_TEST_REPLICA";

/// The replica's URL of the test database `database` (a URL made by
/// [`database_for`]), once the replica has the database (up to 30 s); `None`
/// after a notice when no replica is configured.
///
/// # Panics
///
/// When the variable is unset in CI, or the database does not reach the
/// replica in time.
pub fn replica_of(database: &str) -> Option<String> {
    let replica = match std::env::var(TEST_REPLICA_VAR) {
        Ok(u) if !u.trim().is_empty() => u.trim().to_string(),
        _ => {
            assert!(
                !crate::shared::ci(),
                "{TEST_REPLICA_VAR} is not set: CI tests a replica-backed node \
                 (scripts/pg-cluster.sh replica DIR PORT PRIMARY_PORT prints the URL to set)"
            );
            eprintln!(
                "notice: {TEST_REPLICA_VAR} not set; skipping a replica test \
                 (scripts/pg-cluster.sh replica DIR PORT PRIMARY_PORT prints the URL to set)"
            );
            return None;
        }
    };
    let name = name_in(database);
    let url = with_database(&replica, &name);
    let start = std::time::Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| loop {
            match postgres::Client::connect(&url, postgres::NoTls) {
                Ok(_) => return,
                Err(e) => {
                    assert!(
                        start.elapsed() < std::time::Duration::from_secs(30),
                        "the replica has no database {name} after 30 s: {e}"
                    );
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            }
        })
        .join()
    })
    .unwrap_or_else(|p| std::panic::resume_unwind(p));
    Some(url)
}

/// Polls `url` until `sql` returns a row (an error counts as not yet), for at
/// most `limit`; returns how long it took.
///
/// # Panics
///
/// When no row came in time.
pub fn wait_for_row(url: &str, sql: &str, limit: std::time::Duration) -> std::time::Duration {
    let start = std::time::Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| loop {
            let found = postgres::Client::connect(url, postgres::NoTls)
                .and_then(|mut c| c.query_opt(sql, &[]))
                .ok()
                .flatten()
                .is_some();
            if found {
                return start.elapsed();
            }
            assert!(start.elapsed() < limit, "no row for {sql} within {limit:?}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        })
        .join()
    })
    .unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// The database a URL names.
fn name_in(url: &str) -> String {
    url.rsplit('/')
        .next()
        .and_then(|n| n.split('?').next())
        .filter(|n| !n.is_empty() && !n.contains('='))
        .or_else(|| {
            url.split_whitespace()
                .find_map(|kv| kv.strip_prefix("dbname="))
        })
        .expect("a database name in the URL")
        .to_string()
}

/// `cs_` and 24 hex digits of a hash of the canonical path: a valid identifier,
/// the same for the same directory.
fn database_name(dir: &Path) -> String {
    use std::hash::{Hash, Hasher};
    let path = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut a = std::collections::hash_map::DefaultHasher::new();
    path.hash(&mut a);
    let mut b = std::collections::hash_map::DefaultHasher::new();
    (path, 1u8).hash(&mut b);
    format!("cs_{:016x}{:08x}", a.finish(), b.finish() as u32)
}

/// `url` pointing at database `name` instead of its own.
fn with_database(url: &str, name: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, query) = match rest.split_once('?') {
                Some((a, q)) => (a, Some(q)),
                None => (rest, None),
            };
            let host = authority.split_once('/').map_or(authority, |(h, _)| h);
            match query {
                Some(q) => format!("{scheme}://{host}/{name}?{q}"),
                None => format!("{scheme}://{host}/{name}"),
            }
        }
        // key=value form
        None => {
            let kept: Vec<&str> = url
                .split_whitespace()
                .filter(|kv| !kv.starts_with("dbname="))
                .collect();
            format!("{} dbname={name}", kept.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_point_at_the_test_database() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:54329/postgres", "cs_1"),
            "postgres://postgres@127.0.0.1:54329/cs_1"
        );
        assert_eq!(
            with_database("postgres://u@h/postgres?sslmode=disable", "cs_1"),
            "postgres://u@h/cs_1?sslmode=disable"
        );
        assert_eq!(
            with_database("host=h user=u dbname=postgres", "cs_1"),
            "host=h user=u dbname=cs_1"
        );
    }

    #[test]
    fn names_follow_the_directory() {
        let a = database_name(Path::new("/tmp/a"));
        assert_eq!(a, database_name(Path::new("/tmp/a")));
        assert_ne!(a, database_name(Path::new("/tmp/b")));
        assert!(a.len() == 27 && a.starts_with("cs_"));
    }
}

//! Helpers shared by the server's integration tests.
#![allow(dead_code)]

pub mod webdriver;

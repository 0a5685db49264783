// Reads "A<TAB>B" lines on stdin. Without arguments prints <, = or > as the semver crate
// (Cargo's) orders versions A and B; with "req" prints true or false for VersionReq B
// matching version A. "invalid" when either side does not parse. Built offline by
// tests/differential/diff_go_cargo.py against Debian's librust-semver-dev.
use semver::{Version, VersionReq};
use std::io::{self, BufRead, BufWriter, Write};

fn main() {
    let req_mode = std::env::args().nth(1).as_deref() == Some("req");
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout());
    for line in stdin.lock().lines() {
        let line = line.unwrap();
        let (a, b) = line.split_once('\t').unwrap();
        let res = if req_mode {
            match (Version::parse(a), VersionReq::parse(b)) {
                (Ok(v), Ok(r)) => if r.matches(&v) { "true" } else { "false" },
                _ => "invalid",
            }
        } else {
            match (Version::parse(a), Version::parse(b)) {
                (Ok(x), Ok(y)) => match x.cmp(&y) {
                    std::cmp::Ordering::Less => "<",
                    std::cmp::Ordering::Greater => ">",
                    std::cmp::Ordering::Equal => "=",
                },
                _ => "invalid",
            }
        };
        writeln!(out, "{}", res).unwrap();
    }
}

//! How fast the simulator takes large deferred records as what it holds
//! grows (the service's benchmark: 100,000 reports in about 34 records).
//! Ignored by default; run it in release for figures:
//!
//! ```sh
//! cargo test --release -p tulorekisteri-shim --test simulator_speed -- --ignored --nocapture
//! ```
//!
//! `SPEED_RECORDS` (default 34) records of `SPEED_REPORTS` (default 3,000)
//! reports, each with its own DeliveryId and ReportIds, all signed before
//! the clock starts, then sent `SPEED_PARALLEL` (default 1) at a time; it
//! prints the time of each SendWageReports, of a status query and of
//! `simulator state` at the end, and the simulator's CPU time (Linux).
//! `SPEED_KEEP` keeps the folder (its `requests/` for profiling).

mod simulator_support;

use simulator_support::{envelope, fresh, has, parties, state, timestamp, wage_record, Server};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

fn number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The process's user and system CPU seconds (clock ticks of 1/100 s).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

#[test]
#[ignore = "a measurement: run it in release with --ignored --nocapture"]
fn large_records_take_the_same_time_as_the_state_grows() {
    if !has("curl") {
        return;
    }
    let records = number("SPEED_RECORDS", 34);
    let size = number("SPEED_REPORTS", 3000);
    let parallel = number("SPEED_PARALLEL", 1).max(1);
    let dir = fresh("speed");
    let mut bodies = vec![];
    for n in 0..records {
        let ids: Vec<String> = (0..size).map(|i| format!("speed-{n}-{i}")).collect();
        let reports: Vec<(&str, &str)> = ids.iter().map(|id| (id.as_str(), "010101-123N")).collect();
        let Some(record) = wage_record(&format!("speed-{n}"), 1, &reports) else {
            return;
        };
        bodies.push(envelope(&dir, "earnings", &record));
    }
    let server = Server::start(&dir, &[]);
    let cpu_before = cpu_seconds(server.pid());
    let next = AtomicUsize::new(0);
    let held = AtomicUsize::new(0);
    let times = Mutex::new(vec![]);
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..parallel {
            s.spawn(|| loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                let Some(body) = bodies.get(n) else { break };
                let sent = Instant::now();
                let (rc, code, answer) = server.post("earnings", "WageReportService", "SendWageReports", body);
                let took = sent.elapsed().as_secs_f64();
                assert_eq!((rc, code), (0, 200), "{}", String::from_utf8_lossy(&answer));
                let now_held = held.fetch_add(size, Ordering::SeqCst) + size;
                println!("record {n:3}: {size} reports in {took:.3} s, {now_held} held");
                times.lock().unwrap().push(took);
            });
        }
    });
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds(server.pid()).zip(cpu_before).map(|(a, b)| a - b);
    let status = serde_json::json!({ "StatusRequestToIR": with_parties(serde_json::json!({
        "Timestamp": timestamp(), "DeliveryDataType": 100, "DeliveryId": format!("speed-{}", records.saturating_sub(1)),
        "ProductionEnvironment": false,
    })) });
    let body = envelope(&dir, "earnings", &status);
    let asked = Instant::now();
    let (rc, code, _) = server.post("earnings", "StatusService", "GetDeliveryDataStatus", &body);
    assert_eq!((rc, code), (0, 200));
    println!("status query: {:.3} s", asked.elapsed().as_secs_f64());
    let read = Instant::now();
    let s = state(&dir);
    println!(
        "simulator state: {:.3} s, {} reports",
        read.elapsed().as_secs_f64(),
        s["reports"].as_array().map_or(0, Vec::len)
    );
    let times = times.into_inner().unwrap();
    let total: f64 = times.iter().sum();
    println!(
        "all records: {wall:.3} s wall, {parallel} at a time; sum of request times {total:.3} s; simulator CPU {}",
        cpu.map_or("unknown".into(), |c| format!("{c:.2} s"))
    );
    if std::env::var_os("SPEED_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("kept {}", dir.display());
    }
}

fn with_parties(mut fields: serde_json::Value) -> serde_json::Value {
    for (k, v) in parties().as_object().unwrap() {
        fields[k] = v.clone();
    }
    fields
}

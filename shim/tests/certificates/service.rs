//! The service renews its own certificate: `serve` with a certificate
//! inside the renewal window and a check every second renews it once while
//! reports are posted and sent, swaps its client, stores every report, and
//! the replaced certificate is refused by the simulator afterwards.

use crate::service_support::{reports, Api, Shim};
use crate::support::{arg, run, Sim, GRACE_SECONDS};
use std::time::{Duration, Instant};

#[test]
fn the_service_renews_its_certificate_while_it_sends() {
    let sim = Sim::start("service");
    let Some(_) = reports("probe", 1) else { return };
    // The earnings certificate only (one renewal), checked every second.
    let text = std::fs::read_to_string(sim.dir.join("shim.toml")).unwrap();
    let mut kept = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with('[') {
            skipping = line == "[certificates.benefits]" || line == "[certificates.data]";
        }
        if !skipping {
            kept.push_str(line);
            kept.push('\n');
        }
        if line == "[service]" {
            kept.push_str("renew_check_seconds = 1\n");
        }
    }
    let config = sim.dir.join("service.toml");
    std::fs::write(&config, kept).unwrap();
    let old = sim.dir.join("old");
    std::fs::create_dir_all(&old).unwrap();
    for f in ["earnings-key.pem", "earnings-cert.pem"] {
        std::fs::copy(sim.dir.join("org").join(f), old.join(f)).unwrap();
    }
    let replaced = sim.config(
        "old.toml",
        "[certificates.earnings]\nkey = \"old/earnings-key.pem\"\ncert = \"old/earnings-cert.pem\"\n",
        "",
    );

    let shim = Shim::start_with(&config, &[]);
    let token = std::fs::read_to_string(sim.dir.join("api-token"))
        .unwrap()
        .trim()
        .to_string();
    let api = Api {
        addr: shim.addr.clone(),
        token,
    };

    // Reports posted before, during and after the renewal.
    let mut log: Vec<String> = vec![];
    let started = Instant::now();
    let (mut posted, mut posted_before) = (0, None);
    let mut renewed_at = None;
    let mut batch = 0;
    while started.elapsed() < Duration::from_secs(40) {
        let list = reports(&format!("renewal-{batch}"), 2).unwrap();
        batch += 1;
        let r = api.post_json("/v1/reports", &serde_json::json!({ "reports": list }));
        assert_eq!(r.status, 202, "{}", String::from_utf8_lossy(&r.body));
        posted += 2;
        log.extend(shim.log.try_iter());
        if renewed_at.is_none() && log.iter().any(|l| l.contains("renewed the earnings certificate")) {
            renewed_at = Some(Instant::now());
            posted_before = Some(posted);
        }
        if renewed_at.is_some_and(|t| t.elapsed() > Duration::from_secs(2)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(150));
    }
    assert!(renewed_at.is_some(), "no renewal: {log:#?}");
    assert!(
        posted_before.unwrap() > 2 && posted > posted_before.unwrap(),
        "{posted_before:?} of {posted}"
    );
    assert!(
        api.wait_until(Duration::from_secs(30), |s| s.get("stored") == Some(&posted)),
        "{:?} of {posted}; {log:#?}",
        api.states()
    );

    // One renewal: the new certificate is far from expiry at the next checks.
    std::thread::sleep(Duration::from_millis(2500));
    log.extend(shim.log.try_iter());
    let renewals = log
        .iter()
        .filter(|l| l.contains("renewing the earnings certificate"))
        .count();
    assert_eq!(renewals, 1, "{log:#?}");
    let metrics = String::from_utf8(api.get("/metrics").body).unwrap();
    assert!(
        metrics.contains("tulorekisteri_shim_certificate_renewals_total{purpose=\"earnings\"} 1"),
        "{metrics}"
    );
    assert!(
        !metrics.contains("tulorekisteri_shim_certificate_renewal_failures{"),
        "{metrics}"
    );
    let days = metrics
        .lines()
        .find_map(|l| l.strip_prefix("tulorekisteri_shim_certificate_days_left{purpose=\"earnings\"} "))
        .and_then(|d| d.parse::<f64>().ok())
        .unwrap();
    assert!(days > 700.0, "{metrics}");

    // The replaced certificate is refused now.
    std::thread::sleep(Duration::from_secs_f64(GRACE_SECONDS));
    let r = run(&["echo", "--config", arg(&replaced)]);
    assert_ne!(r.status, 0, "{r}");
    assert!(r.stdout.contains("CertificateRevoked"), "{r}");
    drop(shim);
}

/// A renewal killed between its two renames leaves the new key beside the
/// old certificate: `serve` completes the installation before it loads its
/// certificates, and starts.
#[test]
fn serve_completes_an_installation_a_kill_interrupted() {
    let sim = Sim::start("serve-recovers");
    let org = sim.dir.join("org");
    let read = |name: &str| std::fs::read(org.join(name)).unwrap();
    // Another real pair as the "new" one: the benefits key and certificate.
    let (old_key, old_cert) = (read("earnings-key.pem"), read("earnings-cert.pem"));
    let (new_key, new_cert) = (read("benefits-key.pem"), read("benefits-cert.pem"));
    let put = |name: &str, bytes: &[u8]| std::fs::write(org.join(name), bytes).unwrap();
    put("earnings-key.pem", &new_key);
    put("earnings-cert.pem.new", &new_cert);
    put("earnings-key.pem.old", &old_key);
    put("earnings-cert.pem.old", &old_cert);

    let shim = Shim::start_with(&sim.dir.join("shim.toml"), &[]);
    assert_eq!(read("earnings-key.pem"), new_key);
    assert_eq!(read("earnings-cert.pem"), new_cert);
    for leftover in ["earnings-cert.pem.new", "earnings-key.pem.old", "earnings-cert.pem.old"] {
        assert!(!org.join(leftover).exists(), "{leftover}");
    }
    // Said before it listened; the log is read by a thread of its own.
    let mut log = vec![];
    let said = loop {
        match shim.log.recv_timeout(Duration::from_secs(5)) {
            Ok(line) if line.contains("recovered an interrupted installation of the earnings certificate") => {
                break true
            }
            Ok(line) => log.push(line),
            Err(_) => break false,
        }
    };
    assert!(said, "{log:#?}");
    drop(shim);
}

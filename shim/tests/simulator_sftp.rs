//! The simulator's SFTP server, with a russh client: an upload renamed to
//! its final name is processed, its signed feedback file appears, the
//! delivery is one in `simulator state` (channel sftp) and the Web
//! Service's status query finds it; a `.part` never renamed is not taken
//! in; a record left in `in/` is taken in at the next start; a record
//! signed with another certificate gets a status-4 feedback; algorithms
//! outside the Register's list and keys that are not the account's SFTP
//! certificate's are refused; the three SFTP faults.

mod sftp_support;
mod simulator_support;

use russh::{cipher, kex, Preferred};
use serde_json::{json, Value};
use sftp_support::{account, connect, connect_with, runtime, signed_record, upload, wait_for, USER};
use simulator_support::{fresh, has, parties, read, state, timestamp, wage_record, Server};
use std::borrow::Cow;
use std::path::Path;
use std::time::{Duration, Instant};

/// The feedback file of `delivery_id`, verified against the response CA, as an object.
fn feedback(dir: &Path, delivery_id: &str) -> Value {
    let path = account(dir).join(format!("feedback/{delivery_id}.xml"));
    assert!(wait_for(&path, Duration::from_secs(20)), "no {}", path.display());
    let bytes = std::fs::read(&path).unwrap();
    read(dir, &bytes)["StatusResponseFromIR"].clone()
}

fn deliveries(dir: &Path, delivery_id: &str) -> Vec<Value> {
    state(dir)["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["deliveryId"] == delivery_id)
        .cloned()
        .collect()
}

fn status_request(delivery_id: &str) -> Value {
    let mut fields = json!({
        "Timestamp": timestamp(), "DeliveryDataType": 100, "DeliveryId": delivery_id, "ProductionEnvironment": false,
    });
    for (k, v) in parties().as_object().unwrap() {
        fields[k] = v.clone();
    }
    json!({ "StatusRequestToIR": fields })
}

#[test]
fn an_upload_renamed_is_processed_and_its_feedback_verifies() {
    let Some(record) = wage_record("sftp-1", 2, &[("r1", "010101-123N")]) else {
        return;
    };
    let dir = fresh("sftp-processed");
    let bytes = signed_record(&dir, &record);
    let other = signed_record(&dir, &wage_record("sftp-2", 2, &[("r2", "010101-1234")]).unwrap());
    let (server, port) = Server::start_with_sftp(&dir, &["--processing-seconds", "1"]);
    let rt = runtime();
    let started = Instant::now();
    rt.block_on(async {
        let client = connect(&dir, port).await;
        upload(&client, "sftp-1.xml", &bytes, true).await.unwrap();
        // Never renamed: never taken in.
        upload(&client, "sftp-2.xml", &other, false).await.unwrap();
    });
    let f = feedback(&dir, "sftp-1");
    // Not before its processing is over.
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(f["StatusResponse"]["DeliveryDataStatus"], 3, "{f}");
    assert_eq!(f["DeliveryData"]["DeliveryId"], "sftp-1");
    assert_eq!(f["StatusResponse"]["ValidItems"]["Item"][0]["ItemId"], "r1");
    assert!(!account(&dir).join("in/sftp-1.xml").exists());

    let held = deliveries(&dir, "sftp-1");
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["channel"], "sftp");
    assert_eq!(held[0]["status"], 3);
    assert!(deliveries(&dir, "sftp-2").is_empty());
    let part = account(&dir).join("in/sftp-2.xml.part");
    assert_eq!(std::fs::read(&part).unwrap(), other);

    // The Web Service's status query (the WS earnings certificate) finds it.
    if has("curl") {
        let a = server.send(
            "earnings",
            "StatusService",
            "GetDeliveryDataStatus",
            &status_request("sftp-1"),
        );
        let answer = read(&dir, &a)["StatusResponseFromIR"].clone();
        assert_eq!(answer["StatusResponse"]["DeliveryDataStatus"], 3, "{answer}");
        assert_eq!(
            answer["StatusResponse"]["IRDeliveryId"],
            f["StatusResponse"]["IRDeliveryId"]
        );
    }

    // A stop while a feedback file is due, and a record left in in/ under
    // its final name: both are done at the next start.
    let fourth = signed_record(&dir, &wage_record("sftp-4", 2, &[("r4", "010101-123N")]).unwrap());
    rt.block_on(async {
        let client = connect(&dir, port).await;
        upload(&client, "sftp-4.xml", &fourth, true).await.unwrap();
    });
    let start = Instant::now();
    while account(&dir).join("in/sftp-4.xml").exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.stop();
    assert!(!account(&dir).join("feedback/sftp-4.xml").exists());
    let third = signed_record(&dir, &wage_record("sftp-3", 2, &[("r3", "010101-123N")]).unwrap());
    std::fs::write(account(&dir).join("in/sftp-3.xml"), &third).unwrap();
    let (_server, _) = Server::start_with_sftp(&dir, &[]);
    assert_eq!(feedback(&dir, "sftp-3")["StatusResponse"]["DeliveryDataStatus"], 3);
    assert_eq!(feedback(&dir, "sftp-4")["StatusResponse"]["DeliveryDataStatus"], 3);
    assert_eq!(deliveries(&dir, "sftp-3")[0]["channel"], "sftp");
    assert_eq!(deliveries(&dir, "sftp-1").len(), 1);
    assert_eq!(deliveries(&dir, "sftp-4").len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_record_signed_with_another_certificate_gets_status_4() {
    let Some(record) = wage_record("sftp-ws", 2, &[("r1", "010101-123N")]) else {
        return;
    };
    let dir = fresh("sftp-refused");
    // Signed with the Web Service certificate, not the SFTP one.
    let xml = tulorekisteri::build(&record).unwrap();
    let ws = simulator_support::signer(&dir, "earnings");
    let bytes = tulorekisteri::signature::sign(xml.as_bytes(), &ws).unwrap();
    let (_server, port) = Server::start_with_sftp(&dir, &[]);
    let rt = runtime();
    rt.block_on(async {
        let client = connect(&dir, port).await;
        upload(&client, "sftp-ws.xml", &bytes, true).await.unwrap();
        upload(&client, "junk.xml", b"not a record", true).await.unwrap();
    });
    let f = feedback(&dir, "sftp-ws");
    assert_eq!(f["StatusResponse"]["DeliveryDataStatus"], 4, "{f}");
    let message = f["StatusResponse"]["MessageErrors"]["ErrorInfo"][0]["ErrorMessage"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("not trusted"), "{message}");
    let junk = feedback(&dir, "junk");
    assert_eq!(junk["StatusResponse"]["DeliveryDataStatus"], 4, "{junk}");
    assert!(deliveries(&dir, "sftp-ws").is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

fn only(cipher: Option<cipher::Name>, kex: Option<kex::Name>) -> Preferred {
    let mut p = tulorekisteri_shim::sftp::algorithms::preferred();
    if let Some(c) = cipher {
        p.cipher = Cow::Owned(vec![c]);
    }
    if let Some(k) = kex {
        p.kex = Cow::Owned(vec![k]);
    }
    p
}

#[test]
fn algorithms_outside_the_list_and_other_keys_are_refused() {
    let dir = fresh("sftp-refusals");
    let (_server, port) = Server::start_with_sftp(&dir, &[]);
    let rt = runtime();
    rt.block_on(async {
        let cipher = connect_with(
            &dir,
            port,
            USER,
            "org/sftp-key.pem",
            only(Some(cipher::CHACHA20_POLY1305), None),
        )
        .await;
        assert!(cipher.is_err(), "chacha20-poly1305 was accepted");
        let kex = connect_with(
            &dir,
            port,
            USER,
            "org/sftp-key.pem",
            only(None, Some(kex::DH_G14_SHA256)),
        )
        .await;
        assert!(kex.is_err(), "diffie-hellman-group14-sha256 was accepted");
        // The Web Service's earnings key is not the SFTP certificate's key.
        let ws = connect_with(&dir, port, USER, "org/earnings-key.pem", only(None, None)).await;
        let e = ws.err().expect("the WS key was accepted");
        assert!(e.contains("authentication refused"), "{e}");
        // The right key for another account.
        let other = connect_with(&dir, port, "7654321-0", "org/sftp-key.pem", only(None, None)).await;
        assert!(other.is_err(), "another account was accepted");
        // A second session of the account beside a first is not refused.
        let first = connect(&dir, port).await;
        let second = connect(&dir, port).await;
        assert!(first.sftp.try_exists("in").await.unwrap());
        assert!(second.sftp.try_exists("feedback").await.unwrap());
        // Nothing outside the account's folders.
        assert!(first.sftp.read("../../ca/sftp-ca-key.pem").await.is_err());
        assert!(first.sftp.create("in/direct.xml").await.is_err());
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_sftp_faults_do_what_the_contract_says() {
    let Some(record) = wage_record("drop-1", 2, &[("r1", "010101-123N")]) else {
        return;
    };
    let dir = fresh("sftp-faults");
    let bytes = signed_record(&dir, &record);
    let (_server, port) = Server::start_with_sftp(&dir, &["--fault", "sftp-drop-during-upload=1"]);
    let rt = runtime();
    let part = account(&dir).join("in/drop-1.xml.part");

    // Dropped during the upload: a partial .part, nothing taken in.
    rt.block_on(async {
        let client = connect(&dir, port).await;
        assert!(upload(&client, "drop-1.xml", &bytes, true).await.is_err());
    });
    let len = std::fs::read(&part).unwrap().len();
    assert!(len > 0 && len < bytes.len(), "{len} of {}", bytes.len());

    // Dropped on the rename: the whole .part, nothing taken in.
    simulator_support::faults(&dir, &["sftp-drop-before-rename=1"]);
    rt.block_on(async {
        let client = connect(&dir, port).await;
        let e = upload(&client, "drop-1.xml", &bytes, true).await.unwrap_err();
        assert!(e.starts_with("rename"), "{e}");
    });
    assert_eq!(std::fs::read(&part).unwrap(), bytes);
    assert!(!account(&dir).join("in/drop-1.xml").exists());
    std::thread::sleep(Duration::from_millis(300));
    assert!(deliveries(&dir, "drop-1").is_empty());
    assert!(!account(&dir).join("feedback/drop-1.xml").exists());

    // Feedback late: the file appears that long after the processing.
    simulator_support::faults(&dir, &["sftp-feedback-late=2"]);
    let started = Instant::now();
    rt.block_on(async {
        let client = connect(&dir, port).await;
        upload(&client, "drop-1.xml", &bytes, true).await.unwrap();
    });
    let f = feedback(&dir, "drop-1");
    assert!(started.elapsed() >= Duration::from_secs(2), "{:?}", started.elapsed());
    assert_eq!(f["StatusResponse"]["DeliveryDataStatus"], 3, "{f}");
    assert_eq!(deliveries(&dir, "drop-1").len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

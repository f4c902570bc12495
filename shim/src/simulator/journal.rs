//! Keeping the state on disk: a snapshot (`DIR/state.json`, which names its
//! generation N) and a journal of the changes since (`DIR/journal-N.jsonl`,
//! one change a line, flushed to disk before the answer is sent). Loading
//! replays the journal on the snapshot; compacting writes a new snapshot
//! (generation N+1) and starts its journal. A reader never sees a snapshot
//! without the journal that continues it: compaction makes the new journal
//! before the new snapshot, and removes the old journal only after it.

use super::files::{write_atomic, PUBLIC};
use super::store::{Change, State};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// Compacting is worth it when the journal is this long and longer than
/// the snapshot (a larger state is rewritten less often).
const COMPACT_AFTER: u64 = 1 << 30;

fn snapshot_path(dir: &Path) -> PathBuf {
    dir.join("state.json")
}

fn journal_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("journal-{generation}.jsonl"))
}

/// Which file is at a path now (an atomic rename puts another there).
#[cfg(unix)]
fn identity(m: &fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn identity(m: &fs::Metadata) -> (u64, u64) {
    let t = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    (m.len(), t.map_or(0, |t| t.as_nanos() as u64))
}

/// A loaded state, and how much of its journal was whole.
pub struct Loaded {
    /// The state: the snapshot with the journal replayed.
    pub state: State,
    /// The length of the journal's whole lines (a cut last line, from a
    /// crash while it was written, is not part of the state).
    pub journal_bytes: u64,
    /// The snapshot's length.
    pub snapshot_bytes: u64,
}

/// Replays the whole lines of a journal on `state`, a line at a time; the
/// length replayed.
fn replay(state: &mut State, journal: File, name: &str) -> Result<u64, String> {
    let mut reader = BufReader::new(journal);
    let mut line = vec![];
    let mut at = 0;
    let mut line_no = 0;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| format!("{name}: {e}"))?;
        // The end, or a last line cut short by a crash (no newline yet).
        if n == 0 || line.last() != Some(&b'\n') {
            return Ok(at);
        }
        line_no += 1;
        match serde_json::from_slice::<Change>(&line) {
            Ok(change) => state
                .apply(change)
                .map_err(|e| format!("{name}: line {line_no}: {e}"))?,
            Err(_) if reader.fill_buf().map_err(|e| format!("{name}: {e}"))?.is_empty() => return Ok(at),
            Err(e) => return Err(format!("{name}: line {line_no}: {e}")),
        }
        at += n as u64;
    }
}

/// Reads the state of `dir`: its snapshot and journal (also while a
/// simulator runs and compacts).
pub fn load(dir: &Path) -> Result<Loaded, String> {
    let path = snapshot_path(dir);
    let shown = |e: io::Error| format!("{}: {e}", path.display());
    for _ in 0..100 {
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(format!(
                    "{}: absent (make the folder with `simulator init`)",
                    path.display()
                ))
            }
            Err(e) => return Err(shown(e)),
        };
        let seen = identity(&file.metadata().map_err(shown)?);
        let mut bytes = vec![];
        file.read_to_end(&mut bytes).map_err(shown)?;
        let snapshot: State = serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut state = snapshot.indexed();
        let journal = journal_path(dir, state.generation);
        match File::open(&journal) {
            Ok(file) => {
                let name = journal.display().to_string();
                let journal_bytes = replay(&mut state, file, &name)?;
                return Ok(Loaded {
                    state,
                    journal_bytes,
                    snapshot_bytes: bytes.len() as u64,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // No journal: none was started, or a compaction has just
                // replaced this snapshot (then read the new one).
                let now = fs::metadata(&path).map(|m| identity(&m)).ok();
                if now == Some(seen) {
                    return Ok(Loaded {
                        state,
                        journal_bytes: 0,
                        snapshot_bytes: bytes.len() as u64,
                    });
                }
            }
            Err(e) => return Err(format!("{}: {e}", journal.display())),
        }
    }
    Err(format!("{}: replaced faster than it can be read", path.display()))
}

/// Removes the journals of other generations (left by a crash while
/// compacting): only `current` continues the snapshot.
fn remove_others(dir: &Path, current: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path != current && name.starts_with("journal-") && name.ends_with(".jsonl") {
            let _ = fs::remove_file(&path);
        }
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The journal a running simulator appends to.
pub struct Journal {
    dir: PathBuf,
    file: File,
    bytes: u64,
    snapshot_bytes: u64,
}

impl Journal {
    /// Continues the journal of a loaded state (cutting off a cut last line).
    pub fn open(dir: &Path, loaded: &Loaded) -> Result<Journal, String> {
        let path = journal_path(dir, loaded.state.generation);
        let shown = |e: io::Error| format!("{}: {e}", path.display());
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(shown)?;
        if file.metadata().map_err(shown)?.len() != loaded.journal_bytes {
            file.set_len(loaded.journal_bytes).map_err(shown)?;
            file.sync_all().map_err(shown)?;
        }
        remove_others(dir, &path);
        sync_dir(dir);
        Ok(Journal {
            dir: dir.to_path_buf(),
            file,
            bytes: loaded.journal_bytes,
            snapshot_bytes: loaded.snapshot_bytes,
        })
    }

    /// Writes `change` as one line and flushes it to disk. On an error the
    /// journal is cut back, so the change is not replayed later either.
    pub fn append(&mut self, change: &Change) -> Result<(), String> {
        let mut line = serde_json::to_vec(change).map_err(|e| e.to_string())?;
        line.push(b'\n');
        let written = self.file.write_all(&line).and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            let _ = self.file.set_len(self.bytes);
            return Err(format!("the journal: {e}"));
        }
        self.bytes += line.len() as u64;
        Ok(())
    }

    /// Whether the journal has grown enough to compact.
    pub fn wants_compacting(&self) -> bool {
        self.bytes > COMPACT_AFTER.max(self.snapshot_bytes)
    }

    /// Writes `state` as the next snapshot and starts its (empty) journal.
    pub fn compact(&mut self, state: &mut State) -> Result<(), String> {
        let old = state.generation;
        let next = old + 1;
        let path = journal_path(&self.dir, next);
        File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        sync_dir(&self.dir);
        state.generation = next;
        let written = state.to_json().and_then(|bytes| {
            let snapshot = snapshot_path(&self.dir);
            write_atomic(&snapshot, &bytes, PUBLIC)
                .map(|()| bytes.len() as u64)
                .map_err(|e| format!("{}: {e}", snapshot.display()))
        });
        let snapshot_bytes = match written {
            Ok(n) => n,
            Err(e) => {
                state.generation = old;
                let _ = fs::remove_file(&path);
                return Err(e);
            }
        };
        let _ = fs::remove_file(journal_path(&self.dir, old));
        sync_dir(&self.dir);
        self.file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        self.bytes = 0;
        self.snapshot_bytes = snapshot_bytes;
        Ok(())
    }
}

/// The state of a running simulator and its journal, changed together.
pub struct Store {
    /// What is held.
    pub state: State,
    journal: Journal,
}

impl Store {
    /// Loads `dir`'s state and continues its journal.
    pub fn open(dir: &Path) -> Result<Store, String> {
        let loaded = load(dir)?;
        let journal = Journal::open(dir, &loaded)?;
        Ok(Store {
            state: loaded.state,
            journal,
        })
    }

    /// Makes `change` durable, then applies it; on an error nothing changes.
    pub fn commit(&mut self, change: Change) -> Result<(), String> {
        self.state.check(&change)?;
        self.journal.append(&change)?;
        self.state.apply(change)?;
        if self.journal.wants_compacting() {
            if let Err(e) = self.journal.compact(&mut self.state) {
                eprintln!("the state could not be compacted (the journal goes on): {e}");
            }
        }
        Ok(())
    }

    /// Writes the whole state as the snapshot (on a clean stop).
    pub fn compact(&mut self) -> Result<(), String> {
        self.journal.compact(&mut self.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulator::store::{Delivery, StatusMiss};
    use serde_json::json;

    fn folder(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("simulator-journal-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("state.json"), State::default().to_json().unwrap()).unwrap();
        dir
    }

    fn delivery(id: &str, arrivals: u32) -> Delivery {
        Delivery {
            owner: "1234567-1".into(),
            delivery_data_type: 100,
            delivery_id: id.into(),
            ir_delivery_id: Some(format!("ir-{id}")),
            arrivals,
            arrival_times: vec![1.0; arrivals as usize],
            outcome: 3,
            cancelled: false,
            arrived_at: 1.0,
            ready_at: 1.0,
            operation: "SendWageReports".into(),
            echo: json!({}),
            header: None,
            skeleton: None,
            valid_items: vec![],
            invalid_items: vec![],
            message_errors: vec![],
            delivery_errors: vec![],
            channel: None,
        }
    }

    fn added(i: usize, id: &str) -> Change {
        Change {
            deliveries: vec![(i, delivery(id, 1))],
            ..Change::default()
        }
    }

    fn ids(state: &State) -> Vec<(String, u32)> {
        state
            .deliveries
            .iter()
            .map(|d| (d.delivery_id.clone(), d.arrivals))
            .collect()
    }

    #[test]
    fn changes_are_replayed_a_cut_last_line_is_not_and_a_bad_one_is_an_error() {
        let dir = folder("replay");
        let mut store = Store::open(&dir).unwrap();
        store.commit(added(0, "a")).unwrap();
        store.commit(added(1, "b")).unwrap();
        let counted = Change {
            deliveries: vec![(0, delivery("a", 2))],
            status_misses: vec![StatusMiss {
                owner: "1234567-1".into(),
                delivery_data_type: 100,
                delivery_id: Some("c".into()),
                ir_delivery_id: None,
                at: 2.0,
                lag: false,
            }],
            ..Change::default()
        };
        store.commit(counted).unwrap();
        // An index past the next new one is refused, and nothing of it applied.
        assert!(store.commit(added(5, "x")).is_err());
        let want = vec![("a".to_string(), 2), ("b".to_string(), 1)];
        assert_eq!(ids(&store.state), want);
        drop(store);

        let journal = dir.join("journal-0.jsonl");
        let whole = fs::read(&journal).unwrap();
        let loaded = load(&dir).unwrap();
        assert_eq!(ids(&loaded.state), want);
        assert_eq!(loaded.state.status_misses.len(), 1);
        assert_eq!(loaded.journal_bytes, whole.len() as u64);
        assert_eq!(
            loaded
                .state
                .find_delivery("1234567-1", 100, Some("b"), None)
                .map(|d| d.arrivals),
            Some(1)
        );
        assert!(loaded
            .state
            .find_delivery("1234567-1", 100, Some("b"), Some("ir-a"))
            .is_none());
        assert!(loaded
            .state
            .find_delivery("1234567-1", 100, None, Some("ir-a"))
            .is_some());

        // A crash in the middle of a line: the part is not replayed, and
        // the journal goes on after the last whole line.
        let mut cut = whole.clone();
        cut.extend_from_slice(b"{\"deliveries\":[[2,{\"own");
        fs::write(&journal, &cut).unwrap();
        let loaded = load(&dir).unwrap();
        assert_eq!(ids(&loaded.state), want);
        let mut store = Store::open(&dir).unwrap();
        assert_eq!(fs::read(&journal).unwrap(), whole);
        store.commit(added(2, "c")).unwrap();
        drop(store);
        assert_eq!(load(&dir).unwrap().state.deliveries.len(), 3);

        // A broken line followed by others is damage, not a crash.
        let mut broken = whole.clone();
        broken.extend_from_slice(b"{not json}\n");
        broken.extend_from_slice(&whole);
        fs::write(&journal, &broken).unwrap();
        let refused = load(&dir).err().unwrap_or_default();
        assert!(refused.contains("line 4"), "{refused}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn compacting_starts_the_next_generation_and_replaying_again_changes_nothing() {
        let dir = folder("compact");
        let mut store = Store::open(&dir).unwrap();
        store.commit(added(0, "a")).unwrap();
        store.commit(added(1, "b")).unwrap();
        let old_journal = fs::read(dir.join("journal-0.jsonl")).unwrap();
        store.compact().unwrap();
        assert!(!dir.join("journal-0.jsonl").exists());
        assert_eq!(fs::read(dir.join("journal-1.jsonl")).unwrap(), b"");
        store.commit(added(2, "c")).unwrap();
        let loaded = load(&dir).unwrap();
        assert_eq!(loaded.state.generation, 1);
        assert_eq!(loaded.state.deliveries.len(), 3);

        // The changes already in the snapshot, applied once more: the same state.
        let mut again = loaded.state.clone();
        for line in old_journal.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            again.apply(serde_json::from_slice(line).unwrap()).unwrap();
        }
        assert_eq!(ids(&again), ids(&loaded.state));
        drop(store);

        // A journal of another generation (a crash while compacting) is removed.
        fs::write(dir.join("journal-7.jsonl"), b"").unwrap();
        let _store = Store::open(&dir).unwrap();
        assert!(!dir.join("journal-7.jsonl").exists());
        assert!(dir.join("journal-1.jsonl").exists());
        let _ = fs::remove_dir_all(&dir);
    }
}

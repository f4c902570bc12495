//! Builds a large earnings payment record for the benchmark from the official
//! samples: the header of one sample, then the `<Report>` bodies of all 13
//! samples in turn, each with a unique ReportId, under the deferred root
//! `WageReportsRequestToIR` (unsigned: the signature is optional there).

use std::io::Write;
use std::path::{Path, PathBuf};

fn samples_dir() -> PathBuf {
    crate::workspace_root().join("../shared/reference/ir/samples")
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Result<&'a str, String> {
    let a = text.find(start).ok_or_else(|| format!("sample has no {start}"))?;
    let b = text[a..].find(end).ok_or_else(|| format!("sample has no {end}"))? + a + end.len();
    Ok(&text[a..b])
}

pub fn write(reports: usize, out: &Path) -> Result<(), String> {
    let dir = samples_dir();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    names.sort();
    let texts: Vec<String> = names
        .iter()
        .map(std::fs::read_to_string)
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let first = texts.first().ok_or("no samples found")?;
    let header_end = first.find("<Reports>").ok_or("sample has no <Reports>")? + "<Reports>".len();
    let header = first[..header_end].replace("WageReportRequestToIR", "WageReportsRequestToIR");
    let bodies: Vec<&str> = texts
        .iter()
        .map(|t| between(t, "<Report>", "</Report>"))
        .collect::<Result<_, _>>()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?);
    let io = |e: std::io::Error| e.to_string();
    w.write_all(header.as_bytes()).map_err(io)?;
    for i in 0..reports {
        let body = bodies[i % bodies.len()];
        let id = between(body, "<ReportId>", "</ReportId>")?;
        let unique = format!("<ReportId>R{i:07}</ReportId>");
        w.write_all(b"\r\n\t\t\t").map_err(io)?;
        w.write_all(body.replacen(id, &unique, 1).as_bytes()).map_err(io)?;
    }
    w.write_all(b"\r\n\t\t</Reports>\r\n\t</DeliveryData>\r\n</wrtir:WageReportsRequestToIR>\r\n")
        .map_err(io)?;
    w.flush().map_err(io)
}

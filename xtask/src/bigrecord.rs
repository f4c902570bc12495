//! Builds a large earnings payment record for the benchmark from the official
//! samples: the header of the latest one with a business ID, then the `<Report>` bodies of all 13
//! samples in turn, each with a unique ReportId, under the deferred root
//! `WageReportsRequestToIR` (unsigned: the signature is optional there).
//! The samples' placeholder identifiers have wrong check characters; each
//! copy gets valid ones instead (a personal identity code per report), and
//! their pension provider 66, missing from the code list, becomes 55, so
//! the record is clean under the Register's rules as a real one would be.

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
    // The header of the latest payment by a payer with a business ID: every
    // sample's report fits its payment date (a recovery date may not be
    // later), and a Kela reimbursement application its payer.
    let payment_date = |t: &String| between(t, "<PaymentDate>", "</PaymentDate>").unwrap_or("").to_string();
    let business_id =
        |t: &&String| between(t, "<PayerIds>", "</PayerIds>").is_ok_and(|ids| ids.contains("<Type>1</Type>"));
    let first = texts
        .iter()
        .filter(business_id)
        .max_by_key(|t| payment_date(t))
        .ok_or("no sample of a payer with a business ID")?;
    let header_end = first.find("<Reports>").ok_or("sample has no <Reports>")? + "<Reports>".len();
    // The public-sector sample's Keva pension insurance needs the payer's
    // Keva sub-organisation (PTI §2.8): the header takes that sample's.
    let sub_orgs = texts
        .iter()
        .find_map(|t| between(t, "<SubOrgs>", "</SubOrgs>").ok())
        .ok_or("no sample has the payer's SubOrgs")?;
    // The absence sample's Kela application needs a contact person with an
    // e-mail address (PTI §2.3); no sample has one.
    let header = with_valid_ids(
        &first[..header_end]
            .replace("WageReportRequestToIR", "WageReportsRequestToIR")
            .replacen("</Telephone>", "</Telephone><Email>palkat@example.fi</Email>", 1)
            .replacen(
                "<PayerOther>",
                &format!("{sub_orgs}<PayerOther>"),
                usize::from(!first[..header_end].contains("<SubOrgs>")),
            ),
        0,
    );
    let bodies: Vec<String> = texts
        .iter()
        .map(|t| between(t, "<Report>", "</Report>").map(with_listed_provider))
        .collect::<Result<_, _>>()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?);
    let io = |e: std::io::Error| e.to_string();
    w.write_all(header.as_bytes()).map_err(io)?;
    for i in 0..reports {
        let body = &bodies[i % bodies.len()];
        let id = between(body, "<ReportId>", "</ReportId>")?;
        let unique = format!("<ReportId>R{i:07}</ReportId>");
        w.write_all(b"\r\n\t\t\t").map_err(io)?;
        let body = with_valid_ids(&body.replacen(id, &unique, 1), i);
        w.write_all(body.as_bytes()).map_err(io)?;
    }
    w.write_all(b"\r\n\t\t</Reports>\r\n\t</DeliveryData>\r\n</wrtir:WageReportsRequestToIR>\r\n")
        .map_err(io)?;
    w.flush().map_err(io)
}

/// `text` with the samples' pension provider 66, which is not in the 2022
/// code list, replaced by Varma (55), in the policy number's prefix too.
fn with_listed_provider(text: &str) -> String {
    text.replace("<PensionProvIdCode>66<", "<PensionProvIdCode>55<")
        .replace("<PensionPolicyNo>66-", "<PensionPolicyNo>55-")
}

/// `text` with the code of every identifier of type 1 (business ID) or 2
/// (personal identity code), a `<Code>` right after its `<Type>`, replaced
/// by a valid one derived from `n`.
fn with_valid_ids(text: &str, n: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("<Type>") {
        let (before, from_type) = rest.split_at(at);
        out.push_str(before);
        let Ok(ty) = between(from_type, "<Type>", "</Type>") else {
            break;
        };
        let after_type = &from_type[ty.len()..];
        out.push_str(ty);
        rest = after_type;
        let gap = leading_space_and_comments(after_type);
        let Ok(code) = between(after_type, "<Code>", "</Code>") else {
            continue;
        };
        if !after_type[gap..].starts_with(code) {
            continue;
        }
        let valid = match ty {
            "<Type>1</Type>" => business_id(n),
            "<Type>2</Type>" => personal_id(n),
            _ => continue,
        };
        out.push_str(&after_type[..gap]);
        out.push_str(&format!("<Code>{valid}</Code>"));
        rest = &after_type[gap + code.len()..];
    }
    out.push_str(rest);
    out
}

/// The length of the whitespace and comments `text` starts with.
fn leading_space_and_comments(text: &str) -> usize {
    let mut at = 0;
    loop {
        at += text[at..].len() - text[at..].trim_start().len();
        match text[at..].strip_prefix("<!--").and_then(|c| c.find("-->")) {
            Some(end) => at += "<!--".len() + end + "-->".len(),
            None => return at,
        }
    }
}

/// A personal identity code born in the 1900s with a temporary individual
/// number (900-999), unique for the first 100,000 values of `n`.
fn personal_id(n: usize) -> String {
    let (day, month, year) = (1 + n % 28, 1 + (n / 28) % 12, 50 + (n / 336) % 50);
    let individual = 900 + (n / 16_800) % 100;
    let number = (day * 10_000 + month * 100 + year) * 1000 + individual;
    let check = b"0123456789ABCDEFHJKLMNPRSTUVWXY"[number % 31] as char;
    format!("{day:02}{month:02}{year:02}-{individual:03}{check}")
}

/// A business ID with a valid check digit.
fn business_id(n: usize) -> String {
    (n..)
        .map(|k| 1_000_000 + k % 9_000_000)
        .find_map(|body| {
            let digits: Vec<usize> = body.to_string().bytes().map(|b| (b - b'0') as usize).collect();
            let sum: usize = digits.iter().zip([7, 9, 10, 5, 8, 4, 2]).map(|(d, w)| d * w).sum();
            match sum % 11 {
                0 => Some(format!("{body}-0")),
                1 => None,
                r => Some(format!("{body}-{}", 11 - r)),
            }
        })
        .unwrap_or_default()
}

//! The WebAssembly API of the npm package: `validate`, `validateBytes`,
//! `build`, `parse` and `readFeedback`. Values cross the boundary as JSON
//! (`JSON.stringify` / `JSON.parse` on the JavaScript side), which keeps the
//! binding thin and the package free of a serialisation framework.

use crate::rules::{Date, Environment, Lang, RuleOptions};
use crate::{Diagnostic, Options};
use serde_json::{json, Value};
use std::io::{self, Read};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &str) -> JsValue;
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    fn json_stringify(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = Reflect, js_name = set)]
    fn reflect_set(target: &JsValue, key: &JsValue, value: &JsValue) -> bool;
}

#[wasm_bindgen(typescript_custom_section)]
const API_TYPES: &str = r#"
/** One problem, as `tulorekisteri validate --format json` prints it (without `file`). */
export interface Diagnostic {
  /** 1-based line; 0 for problems of an object given to `build`. */
  line: number;
  /** 1-based column in characters; 0 for problems of an object. */
  column: number;
  /** Element path (`/Root/A/B[3]`), or object path below the root key for `build` (`A.B[2]`). */
  path: string;
  /** A stable code, e.g. `schema-type`; see docs/codes.md. */
  code: string;
  severity: "error" | "warning";
  /** English; says what was expected and what was found. */
  message: string;
}

export interface ValidateOptions {
  /** Accept a record that is not signed yet (a draft): a missing ds:Signature is not an error. */
  unsigned?: boolean;
  /** Only the XSD checks, not the Register's own rules (docs/rules.md). */
  schemaOnly?: boolean;
  /** The language of rule messages; default "en". */
  lang?: "fi" | "sv" | "en";
  /** The day date rules count from, YYYY-MM-DD; default: the local date. */
  today?: string;
  /** When given, ProductionEnvironment must match it. */
  environment?: "production" | "test";
}

export interface BuildResult {
  /** The record's XML; absent when there are errors. */
  xml?: string;
  diagnostics: Diagnostic[];
}

export interface FeedbackError { code: string; message: string; details: string | null; }
export interface FeedbackItem {
  /** ItemId: the sender's id, e.g. the ReportId. */
  itemId: string | null;
  /** IRItemId: the Register's id, e.g. the IRReportId. */
  irItemId: string | null;
  version: number | null;
  errors: FeedbackError[];
}
/** The summary of an AckFromIR or StatusResponseFromIR. */
export interface Feedback {
  kind: "AckFromIR" | "StatusResponseFromIR";
  /** DeliveryDataStatus: 0 unknown, 2 processing, 3 stored, 4 rejected at reception, 5 rejected in processing, 6 cancelled. */
  status: number;
  statusName: "unknown" | "processing" | "stored" | "rejected-at-reception" | "rejected-in-processing" | "cancelled" | "other";
  statusMeaning: string;
  /** False while the Register is still processing (poll again). */
  final: boolean;
  irResponseId: string;
  irResponseTimestamp: string;
  irDeliveryId: string | null;
  deliveryId: string | null;
  deliveryDataType: number | null;
  validItems: FeedbackItem[];
  invalidItems: FeedbackItem[];
  messageErrors: FeedbackError[];
  deliveryErrors: FeedbackError[];
}

/** A field of a group: a child element, with `group` or `value` naming its type. */
export interface SchemaField {
  name: string;
  /** 0 for an optional field and for each alternative of a choice. */
  min: number;
  /** null for no limit; above 1, the field is an array in the record object. */
  max: number | null;
  /** A complex type: a key of `RecordSchema.groups`. */
  group?: string;
  /** A simple type: a key of `RecordSchema.values`. */
  value?: string;
  /** The code list the Register's rules take the values from: a key of `RecordSchema.lists`. */
  list?: string;
}
export interface SchemaValue {
  kind: "text" | "integer" | "decimal" | "boolean" | "date" | "dateTime" | "time" | "base64";
  minLength: number | null;
  maxLength: number | null;
  /** The schema's enumeration; empty when any value of the kind is allowed. */
  values: string[];
  /** XSD regular expressions a value must match, one per derivation step. */
  patterns: string[];
}
export interface SchemaList {
  /** The codes; `meaning` (Finnish) is given for income types; the others are in `code-lists.json`. */
  codes: { code: string; meaning?: string }[];
  /** The list changes over time: a code missing from the 2022 list is only a warning. */
  dated: boolean;
}
/** What `schema(root)` returns: the tree as dictionaries keyed by type name. */
export interface RecordSchema {
  root: string;
  namespace: string;
  /** The root's own type: a key of `groups`. */
  group: string;
  groups: Record<string, SchemaField[]>;
  values: Record<string, SchemaValue>;
  lists: Record<string, SchemaList>;
}

/** Thrown by `parse` and `readFeedback` when the document is not a valid record. */
export interface RecordError extends Error { diagnostics: Diagnostic[]; }
"#;

#[wasm_bindgen(typescript_custom_section)]
const RECORD_TYPES: &str = include_str!("records.d.ts");

/// Reads `ValidateOptions`; an option with a wrong value is an error, not
/// silently ignored.
fn options_from(js: Option<&JsValue>) -> Result<Options, JsValue> {
    let v: Value = if let Some(js) = js.filter(|js| !js.is_undefined() && !js.is_null()) {
        let text = json_stringify(js).ok().and_then(|t| t.as_string()).unwrap_or_default();
        serde_json::from_str(&text).unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    let bad = |what: &str| -> JsValue { JsError::new(&format!("options: {what}")).into() };
    let mut rules = RuleOptions::default();
    if let Some(lang) = v.get("lang").and_then(Value::as_str) {
        rules.lang = Lang::parse(lang).ok_or_else(|| bad("lang must be \"fi\", \"sv\" or \"en\""))?;
    }
    if let Some(today) = v.get("today").and_then(Value::as_str) {
        rules.today = Some(
            Date::parse(today)
                .filter(|_| today.len() == 10)
                .ok_or_else(|| bad("today must be YYYY-MM-DD"))?,
        );
    }
    if let Some(env) = v.get("environment").and_then(Value::as_str) {
        rules.environment =
            Some(Environment::parse(env).ok_or_else(|| bad("environment must be \"production\" or \"test\""))?);
    }
    let schema_only = v.get("schemaOnly").and_then(Value::as_bool).unwrap_or(false);
    let options = Options::default().unsigned(v.get("unsigned").and_then(Value::as_bool).unwrap_or(false));
    Ok(match schema_only {
        true => options.schema_only(),
        false => options.rules(rules),
    })
}

fn diagnostics_json(problems: &[Diagnostic]) -> Value {
    problems.iter().map(|d| d.to_json(None)).collect()
}

fn to_js(v: &Value) -> JsValue {
    json_parse(&v.to_string())
}

/// An `Error` with the problems attached as `diagnostics`.
fn record_error(problems: &[Diagnostic]) -> JsValue {
    let first = problems.first().map(|d| d.to_string()).unwrap_or_default();
    let err: JsValue = JsError::new(&format!("not a valid record: {first}")).into();
    reflect_set(
        &err,
        &JsValue::from_str("diagnostics"),
        &to_js(&diagnostics_json(problems)),
    );
    err
}

// The document stays in JavaScript and is read in chunks into the
// tokenizer's window: a large one is never copied whole into the module's
// memory, which a WebAssembly memory never gives back.
#[wasm_bindgen(inline_js = r#"
class BytesReader {
  constructor(bytes, onProgress) { this.bytes = bytes; this.offset = 0; this.onProgress = onProgress; }
  read(into) {
    const chunk = this.bytes.subarray(this.offset, this.offset + into.length);
    into.set(chunk);
    this.offset += chunk.length;
    if (this.onProgress && chunk.length > 0) this.onProgress(this.offset, this.bytes.length);
    return chunk.length;
  }
}
const encoder = new TextEncoder();
class TextReader {
  constructor(text, onProgress) { this.text = text; this.offset = 0; this.onProgress = onProgress; }
  // `into` holds at least 64 KiB (a BufReader's buffer): a UTF-16 unit takes
  // at most 3 bytes of UTF-8, and a surrogate pair is never split.
  read(into) {
    let end = Math.min(this.text.length, this.offset + Math.floor(into.length / 3));
    const last = this.text.charCodeAt(end - 1);
    if (end < this.text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    const { read, written } = encoder.encodeInto(this.text.slice(this.offset, end), into);
    this.offset += read;
    if (this.onProgress && read > 0) this.onProgress(this.offset, this.text.length);
    return written;
  }
}
function progress_hook(onProgress) {
  if (onProgress === undefined || onProgress === null) return undefined;
  if (typeof onProgress !== 'function') throw new TypeError('onProgress must be a function');
  return onProgress;
}
export function bytes_reader(value, onProgress) {
  const hook = progress_hook(onProgress);
  if (value instanceof Uint8Array) return new BytesReader(value, hook);
  if (value instanceof ArrayBuffer) return new BytesReader(new Uint8Array(value), hook);
  if (ArrayBuffer.isView(value)) return new BytesReader(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), hook);
  throw new TypeError('validateBytes: expected a Uint8Array, an ArrayBuffer or a typed array view');
}
export function text_reader(value, onProgress) {
  const hook = progress_hook(onProgress);
  if (typeof value === 'string') return new TextReader(value, hook);
  throw new TypeError('validate: expected a string');
}
export function read_into(reader, into) { return reader.read(into); }
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn bytes_reader(value: &JsValue, on_progress: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    fn text_reader(value: &JsValue, on_progress: &JsValue) -> Result<JsValue, JsValue>;
    fn read_into(reader: &JsValue, into: &mut [u8]) -> u32;
}

/// One of the JavaScript readers above.
struct JsReader(JsValue);

impl Read for JsReader {
    fn read(&mut self, into: &mut [u8]) -> io::Result<usize> {
        Ok(read_into(&self.0, into) as usize)
    }
}

/// The text reader's chunks: large enough for any character.
const TEXT_CHUNK: usize = 64 * 1024;

fn validate_from(input: impl Read, options: Option<&JsValue>) -> Result<JsValue, JsValue> {
    let options = options_from(options)?;
    let mut problems = vec![];
    // Reading from JavaScript cannot fail.
    let _ = crate::validate_reader(input, &options, &mut |d| problems.push(d));
    Ok(to_js(&diagnostics_json(&problems)))
}

/// Validates a record given as a string and returns every problem: the
/// schema's, then the Register's rules unless `schemaOnly` is set.
/// `onProgress(done, total)`, if given, is called after each chunk read
/// (in UTF-16 code units of the string): for a progress bar in a worker.
#[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
pub fn validate(
    #[wasm_bindgen(unchecked_param_type = "string")] xml: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ValidateOptions")] options: Option<JsValue>,
    #[wasm_bindgen(js_name = onProgress, unchecked_optional_param_type = "(done: number, total: number) => void")]
    on_progress: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let reader = JsReader(text_reader(&xml, &on_progress.unwrap_or(JsValue::UNDEFINED))?);
    validate_from(io::BufReader::with_capacity(TEXT_CHUNK, reader), options.as_ref())
}

/// Validates a record given as UTF-8 bytes: a `Uint8Array` (a Node
/// `Buffer`), an `ArrayBuffer` (a file's `arrayBuffer()`) or another view.
/// `onProgress(done, total)`, if given, is called after each chunk read, in bytes.
#[wasm_bindgen(js_name = validateBytes, unchecked_return_type = "Diagnostic[]")]
pub fn validate_bytes(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer | ArrayBufferView")] xml: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ValidateOptions")] options: Option<JsValue>,
    #[wasm_bindgen(js_name = onProgress, unchecked_optional_param_type = "(done: number, total: number) => void")]
    on_progress: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let reader = JsReader(bytes_reader(&xml, &on_progress.unwrap_or(JsValue::UNDEFINED))?);
    validate_from(reader, options.as_ref())
}

/// The element tree of a record root, for generating forms: see
/// `RecordSchema`. Throws for a name that is not one of the 29 roots.
#[wasm_bindgen(unchecked_return_type = "RecordSchema")]
pub fn schema(root: &str) -> Result<JsValue, JsValue> {
    crate::schema::describe(root)
        .map(|v| to_js(&v))
        .ok_or_else(|| JsError::new(&format!("schema: {root:?} is not a record root")).into())
}

/// Builds the XML of a record object `{ RootName: { ...fields } }`.
#[wasm_bindgen(unchecked_return_type = "BuildResult")]
pub fn build(#[wasm_bindgen(unchecked_param_type = "IncomesRegisterRecord")] record: JsValue) -> JsValue {
    let text = json_stringify(&record).ok().and_then(|t| t.as_string());
    let value: Value = text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
    let result = match crate::build(&value) {
        Ok(xml) => json!({ "xml": xml, "diagnostics": [] }),
        Err(problems) => json!({ "diagnostics": diagnostics_json(&problems) }),
    };
    to_js(&result)
}

/// Parses a record to its object; throws a `RecordError` if it is not valid.
#[wasm_bindgen(unchecked_return_type = "IncomesRegisterRecord")]
pub fn parse(xml: &str) -> Result<JsValue, JsValue> {
    crate::parse(xml.as_bytes())
        .map(|v| to_js(&v))
        .map_err(|p| record_error(&p))
}

/// Reads an AckFromIR or StatusResponseFromIR; throws if it is neither.
#[wasm_bindgen(js_name = readFeedback, unchecked_return_type = "Feedback")]
pub fn read_feedback(xml: &str) -> Result<JsValue, JsValue> {
    match crate::read_feedback(xml.as_bytes()) {
        Ok(f) => Ok(to_js(&f.to_json())),
        Err(crate::feedback::FeedbackError::Invalid(p)) => Err(record_error(&p)),
        Err(e) => Err(JsError::new(&e.to_string()).into()),
    }
}

//! The npm package's functions, run in Node by wasm-bindgen-test:
//! `scripts/wasm.sh test` (cargo test --target wasm32-unknown-unknown --test wasm).
#![cfg(target_arch = "wasm32")]

use tulorekisteri::wasm;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const ECHO_NS: &str = "http://www.tulorekisteri.fi/2017/1/Echo";

#[wasm_bindgen_test]
fn validate_returns_every_problem_with_its_position() {
    let xml = format!("<e:Echo xmlns:e=\"{ECHO_NS}\">\n  <Data>far too long for it</Data>\n</e:Echo>");
    let problems = wasm::validate(JsValue::from_str(&xml), None, None).unwrap();
    let json = stringify(&problems);
    assert!(json.contains("\"code\":\"schema-length\""), "{json}");
    assert!(json.contains("\"line\":2"), "{json}");
    assert!(json.contains("\"code\":\"schema-missing-element\""), "{json}");
}

#[wasm_bindgen_test]
fn build_then_parse_gives_the_object_back() {
    let object = parse_json(r#"{"Echo": {"Data": "hei"}}"#);
    let built = wasm::build(object);
    let text = stringify(&built);
    assert!(text.contains("<Data>hei</Data>"), "{text}");
    assert!(text.contains("\"diagnostics\":[]"), "{text}");
    let xml: serde_json::Value = serde_json::from_str(&text).unwrap();
    let parsed = wasm::parse(xml["xml"].as_str().unwrap()).unwrap();
    assert_eq!(stringify(&parsed), r#"{"Echo":{"Data":"hei"}}"#);
}

#[wasm_bindgen_test]
fn parse_throws_with_the_diagnostics() {
    let err = wasm::parse("<nope/>").unwrap_err();
    let diagnostics = get(&err, "diagnostics");
    assert!(stringify(&diagnostics).contains("schema-root"));
}

// The tests need JSON.stringify/parse and property access; declared here
// rather than pulling in js-sys.
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify)]
    fn stringify(v: &JsValue) -> String;
    #[wasm_bindgen(js_namespace = JSON, js_name = parse)]
    fn parse_json(s: &str) -> JsValue;
    #[wasm_bindgen(js_namespace = Reflect, js_name = get)]
    fn get_property(target: &JsValue, key: &JsValue) -> JsValue;
}

fn get(v: &JsValue, key: &str) -> JsValue {
    get_property(v, &JsValue::from_str(key))
}

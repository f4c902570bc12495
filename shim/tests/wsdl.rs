//! The operation table is the ten official WSDLs': every operation with its
//! service address, SOAPAction, request and answer root, and nothing else.

use std::path::Path;
use tulorekisteri_shim::operation::OPERATIONS;

const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
const SOAP: &str = "http://schemas.xmlsoap.org/wsdl/soap/";

#[test]
fn the_operation_table_is_the_wsdls() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/ir/schema");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is absent: CI must run every check",
            dir.display()
        );
        println!("skipped: {} is absent", dir.display());
        return;
    };
    let mut found = vec![];
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.extension().is_none_or(|e| e != "wsdl") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap();
        let named =
            |ns: &'static str, name: &'static str| doc.descendants().filter(move |n| n.has_tag_name((ns, name)));
        let local = |qname: &str| qname.rsplit(':').next().unwrap().to_string();
        let element_of = |message: &str| {
            let m = named(WSDL, "message")
                .find(|m| m.attribute("name") == Some(local(message).as_str()))
                .unwrap();
            local(
                m.children()
                    .find(|c| c.has_tag_name((WSDL, "part")))
                    .unwrap()
                    .attribute("element")
                    .unwrap(),
            )
        };
        let address = named(SOAP, "address").next().unwrap().attribute("location").unwrap();
        let service = address.rsplit('/').next().unwrap().trim_end_matches(".svc").to_string();
        let port_type = named(WSDL, "portType").next().unwrap();
        for op in port_type.children().filter(|c| c.has_tag_name((WSDL, "operation"))) {
            let name = op.attribute("name").unwrap().to_string();
            let io = |tag: &str| {
                element_of(
                    op.children()
                        .find(|c| c.has_tag_name((WSDL, tag)))
                        .unwrap()
                        .attribute("message")
                        .unwrap(),
                )
            };
            let action = named(SOAP, "operation")
                .find(|o| o.parent().and_then(|p| p.attribute("name")) == Some(name.as_str()))
                .and_then(|o| o.attribute("soapAction"))
                .unwrap()
                .to_string();
            assert_eq!(action, name, "{}", path.display());
            assert!(address.ends_with(&format!("/20170526/{service}.svc")), "{address}");
            found.push((service.clone(), name, io("input"), io("output")));
        }
    }
    found.sort();
    let mut ours: Vec<_> = OPERATIONS
        .iter()
        .map(|o| {
            (
                o.service.to_string(),
                o.name.to_string(),
                o.request.to_string(),
                o.response.to_string(),
            )
        })
        .collect();
    ours.sort();
    assert_eq!(ours, found);
    assert_eq!(found.len(), 21);
}

//! Reads the official XSD files into plain definitions keyed by qualified name.
//! Only the constructs the Incomes Register schema set uses are accepted; any
//! other construct stops the compiler with a message naming it.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

pub const XS: &str = "http://www.w3.org/2001/XMLSchema";

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QName {
    pub ns: String,
    pub local: String,
}

impl QName {
    pub fn new(ns: &str, local: &str) -> Self {
        QName {
            ns: ns.to_string(),
            local: local.to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimpleDef {
    /// `prefix:Name` as written where it is defined.
    pub display: String,
    pub base: QName,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    pub patterns: Vec<String>,
    pub enumeration: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum ParticleKind {
    /// A local element declaration: name (with its namespace) and type.
    Element {
        name: QName,
        ty: QName,
    },
    /// A reference to a global element.
    Ref(QName),
    Any {
        other: bool,
        target_ns: String,
        strict: bool,
    },
    Sequence(Vec<Particle>),
    Choice(Vec<Particle>),
}

#[derive(Debug, Clone)]
pub struct Particle {
    pub kind: ParticleKind,
    pub min: u32,
    /// `None` is unbounded.
    pub max: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct AttrDef {
    pub name: String,
    pub ty: QName,
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct ComplexDef {
    pub display: String,
    pub mixed: bool,
    /// complexContent extension base: its particle comes first.
    pub extends: Option<QName>,
    /// simpleContent extension base.
    pub simple_content: Option<QName>,
    pub particle: Option<Particle>,
    pub attributes: Vec<AttrDef>,
}

#[derive(Debug, Default)]
pub struct SchemaSet {
    pub simple: HashMap<QName, SimpleDef>,
    pub complex: HashMap<QName, ComplexDef>,
    /// Global elements: name -> type.
    pub elements: HashMap<QName, QName>,
    /// Global elements per file, in declaration order.
    pub elements_by_file: BTreeMap<String, Vec<QName>>,
    /// Files each file imports (by file name).
    pub imports: BTreeMap<String, Vec<String>>,
}

fn attr_u32(node: roxmltree::Node, name: &str, default: u32) -> Result<u32, String> {
    match node.attribute(name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| format!("bad {name}={v:?}")),
    }
}

fn occurs(node: roxmltree::Node) -> Result<(u32, Option<u32>), String> {
    let min = attr_u32(node, "minOccurs", 1)?;
    let max = match node.attribute("maxOccurs") {
        Some("unbounded") => None,
        _ => Some(attr_u32(node, "maxOccurs", 1)?),
    };
    Ok((min, max))
}

fn is_xs(node: &roxmltree::Node, name: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(XS) && node.tag_name().name() == name
}

fn xs_children<'a, 'i>(node: roxmltree::Node<'a, 'i>) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    node.children()
        .filter(|c| c.is_element() && c.tag_name().namespace() == Some(XS))
}

/// Resolves a `prefix:local` QName value against the node's namespace scope.
fn resolve(node: roxmltree::Node, value: &str) -> Result<QName, String> {
    let (prefix, local) = match value.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, value),
    };
    let ns = node
        .lookup_namespace_uri(prefix)
        .ok_or_else(|| format!("unbound prefix in {value:?}"))?;
    Ok(QName::new(ns, local))
}

struct FileCtx<'s> {
    target_ns: String,
    prefix: String,
    qualified: bool,
    file: &'s str,
}

impl SchemaSet {
    pub fn load_file(&mut self, path: &Path) -> Result<(), String> {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let doc = roxmltree::Document::parse(&text).map_err(|e| format!("{file}: {e}"))?;
        let root = doc.root_element();
        let target_ns = root.attribute("targetNamespace").unwrap_or("").to_string();
        let prefix = root
            .namespaces()
            .find(|n| n.uri() == target_ns && n.name().is_some())
            .and_then(|n| n.name())
            .unwrap_or("")
            .to_string();
        let ctx = FileCtx {
            qualified: root.attribute("elementFormDefault") == Some("qualified"),
            target_ns,
            prefix,
            file: &file,
        };
        self.elements_by_file.entry(file.clone()).or_default();
        self.imports.entry(file.clone()).or_default();
        for child in xs_children(root) {
            let err = |e: String| format!("{file}: {e}");
            match child.tag_name().name() {
                "import" | "include" => {
                    if let Some(loc) = child.attribute("schemaLocation") {
                        self.imports.get_mut(&file).unwrap().push(loc.to_string());
                    }
                }
                "simpleType" => {
                    let (name, def) = simple_type(&ctx, child).map_err(err)?;
                    self.simple.insert(name, def);
                }
                "complexType" => {
                    let (name, def) = complex_type(&ctx, child).map_err(err)?;
                    self.complex.insert(name, def);
                }
                "element" => {
                    let name = QName::new(
                        &ctx.target_ns,
                        child
                            .attribute("name")
                            .ok_or_else(|| err("element without name".into()))?,
                    );
                    let ty = resolve(
                        child,
                        child
                            .attribute("type")
                            .ok_or_else(|| err(format!("element {} has no type", name.local)))?,
                    )
                    .map_err(err)?;
                    self.elements_by_file.get_mut(&file).unwrap().push(name.clone());
                    self.elements.insert(name, ty);
                }
                "annotation" => {}
                other => return Err(err(format!("unsupported top-level <xs:{other}>"))),
            }
        }
        Ok(())
    }
}

fn display(ctx: &FileCtx, local: &str) -> String {
    if ctx.prefix.is_empty() {
        local.to_string()
    } else {
        format!("{}:{local}", ctx.prefix)
    }
}

fn simple_type(ctx: &FileCtx, node: roxmltree::Node) -> Result<(QName, SimpleDef), String> {
    let local = node.attribute("name").ok_or("anonymous simpleType")?;
    let restriction = xs_children(node)
        .find(|c| is_xs(c, "restriction"))
        .ok_or_else(|| format!("simpleType {local}: only restrictions are supported"))?;
    let base = resolve(
        restriction,
        restriction.attribute("base").ok_or("restriction without base")?,
    )?;
    let mut def = SimpleDef {
        display: display(ctx, local),
        base,
        min_length: None,
        max_length: None,
        patterns: vec![],
        enumeration: vec![],
    };
    for facet in xs_children(restriction) {
        let value = facet.attribute("value").unwrap_or("");
        match facet.tag_name().name() {
            "minLength" => def.min_length = Some(value.parse().map_err(|_| "bad minLength")?),
            "maxLength" => def.max_length = Some(value.parse().map_err(|_| "bad maxLength")?),
            "pattern" => def.patterns.push(value.to_string()),
            "enumeration" => def.enumeration.push(value.to_string()),
            "annotation" => {}
            other => return Err(format!("simpleType {local}: unsupported facet {other}")),
        }
    }
    Ok((QName::new(&ctx.target_ns, local), def))
}

fn complex_type(ctx: &FileCtx, node: roxmltree::Node) -> Result<(QName, ComplexDef), String> {
    let local = node.attribute("name").ok_or("anonymous complexType")?;
    let mut def = ComplexDef {
        display: display(ctx, local),
        mixed: node.attribute("mixed") == Some("true"),
        extends: None,
        simple_content: None,
        particle: None,
        attributes: vec![],
    };
    let mut body = node;
    for child in xs_children(node) {
        match child.tag_name().name() {
            "complexContent" | "simpleContent" => {
                let ext = xs_children(child)
                    .find(|c| is_xs(c, "extension"))
                    .ok_or_else(|| format!("complexType {local}: only extensions are supported"))?;
                let base = resolve(ext, ext.attribute("base").ok_or("extension without base")?)?;
                if child.tag_name().name() == "complexContent" {
                    def.extends = Some(base);
                } else {
                    def.simple_content = Some(base);
                }
                body = ext;
            }
            _ => {}
        }
    }
    for child in xs_children(body) {
        match child.tag_name().name() {
            "sequence" | "choice" => def.particle = Some(particle(ctx, child)?),
            "attribute" => def.attributes.push(AttrDef {
                name: child.attribute("name").ok_or("attribute without name")?.to_string(),
                ty: resolve(child, child.attribute("type").ok_or("attribute without type")?)?,
                required: child.attribute("use") == Some("required"),
            }),
            "complexContent" | "simpleContent" | "annotation" => {}
            other => return Err(format!("complexType {local}: unsupported <xs:{other}>")),
        }
    }
    Ok((QName::new(&ctx.target_ns, local), def))
}

fn particle(ctx: &FileCtx, node: roxmltree::Node) -> Result<Particle, String> {
    let (min, max) = occurs(node)?;
    let kind = match node.tag_name().name() {
        "element" => {
            if let Some(r) = node.attribute("ref") {
                ParticleKind::Ref(resolve(node, r)?)
            } else {
                let local = node.attribute("name").ok_or("element without name")?;
                let ns = if ctx.qualified { ctx.target_ns.as_str() } else { "" };
                let ty = node
                    .attribute("type")
                    .ok_or_else(|| format!("element {local} has no type"))?;
                ParticleKind::Element {
                    name: QName::new(ns, local),
                    ty: resolve(node, ty)?,
                }
            }
        }
        "any" => {
            let other = match node.attribute("namespace").unwrap_or("##any") {
                "##any" => false,
                "##other" => true,
                ns => return Err(format!("unsupported wildcard namespace {ns:?} in {}", ctx.file)),
            };
            ParticleKind::Any {
                other,
                target_ns: ctx.target_ns.clone(),
                strict: node.attribute("processContents").unwrap_or("strict") == "strict",
            }
        }
        "sequence" | "choice" => {
            let items = xs_children(node)
                .filter(|c| !is_xs(c, "annotation"))
                .map(|c| particle(ctx, c))
                .collect::<Result<Vec<_>, _>>()?;
            if node.tag_name().name() == "sequence" {
                ParticleKind::Sequence(items)
            } else {
                ParticleKind::Choice(items)
            }
        }
        other => return Err(format!("unsupported particle <xs:{other}>")),
    };
    Ok(Particle { kind, min, max })
}

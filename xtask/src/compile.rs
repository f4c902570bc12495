//! Turns the loaded schema set into the static tables of `src/schema/generated.rs`.

use crate::automaton::{self, Key, Node, Rep};
use crate::xsd::{Particle, ParticleKind, QName, SchemaSet, SimpleDef, XS};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write;

const XMLDSIG_FILE: &str = "xmldsig-core-schema.xsd";

/// The same fingerprint as `name_hash` in src/schema/model.rs (a test checks
/// the generated values against it).
pub fn name_hash(name: &[u8]) -> u32 {
    let n = name.len();
    if n == 0 {
        return 0;
    }
    (n as u32 & 0xFF) | (name[0] as u32) << 8 | (name[n / 2] as u32) << 16 | (name[n - 1] as u32) << 24
}

#[derive(Default)]
struct Tables {
    namespaces: Vec<String>,
    simple: Vec<String>,
    simple_ids: HashMap<QName, usize>,
    complex: Vec<String>,
    complex_ids: HashMap<QName, usize>,
    complex_queue: VecDeque<QName>,
    elements: Vec<String>,
    element_ids: HashMap<(QName, QName), usize>,
    states: Vec<String>,
}

fn builtin_variant(local: &str) -> Result<&'static str, String> {
    Ok(match local {
        "string" => "String",
        "normalizedString" => "NormalizedString",
        "int" => "Int",
        "integer" => "Integer",
        "decimal" => "Decimal",
        "boolean" => "Boolean",
        "date" => "Date",
        "dateTime" => "DateTime",
        "time" => "Time",
        "base64Binary" => "Base64Binary",
        "anyURI" => "AnyUri",
        "ID" => "Id",
        other => return Err(format!("built-in type xs:{other} is not supported by the validator")),
    })
}

fn pattern_variant(p: &str) -> Result<String, String> {
    Ok(match p {
        r"[+-]?\d{1,13}(\.\d{1,2})?" => "Pattern::Decimal13_2".into(),
        "[0-9a-fA-F]{32}" => "Pattern::Hex32".into(),
        lit if !lit.is_empty() && lit.chars().all(|c| c.is_ascii_alphanumeric()) => {
            format!("Pattern::Literal({lit:?})")
        }
        other => {
            return Err(format!(
                "pattern {other:?} has no matcher in src/schema/model.rs: add one"
            ))
        }
    })
}

impl Tables {
    fn ns(&mut self, uri: &str) -> usize {
        if let Some(i) = self.namespaces.iter().position(|n| n == uri) {
            return i;
        }
        self.namespaces.push(uri.to_string());
        self.namespaces.len() - 1
    }

    fn simple(&mut self, set: &SchemaSet, name: &QName) -> Result<usize, String> {
        if let Some(&i) = self.simple_ids.get(name) {
            return Ok(i);
        }
        // Walk the restriction chain from the derived type down to the built-in.
        let mut steps: Vec<&SimpleDef> = vec![];
        let mut cur = name.clone();
        while cur.ns != XS {
            let def = set
                .simple
                .get(&cur)
                .ok_or_else(|| format!("unknown simple type {}:{}", cur.ns, cur.local))?;
            steps.push(def);
            cur = def.base.clone();
        }
        let builtin = builtin_variant(&cur.local)?;
        let display = steps
            .first()
            .map(|d| d.display.clone())
            .unwrap_or(format!("xs:{}", cur.local));
        let min = steps.iter().find_map(|d| d.min_length);
        let max = steps.iter().find_map(|d| d.max_length);
        let mut groups = vec![];
        for step in &steps {
            if !step.patterns.is_empty() {
                let ps = step
                    .patterns
                    .iter()
                    .map(|p| pattern_variant(p))
                    .collect::<Result<Vec<_>, _>>()?;
                groups.push(format!("&[{}]", ps.join(", ")));
            }
        }
        let enumeration = steps
            .iter()
            .find(|d| !d.enumeration.is_empty())
            .map(|d| d.enumeration.clone())
            .unwrap_or_default();
        self.simple.push(format!(
            "SimpleType {{ name: {display:?}, builtin: Builtin::{builtin}, min_length: {min:?}, max_length: {max:?}, patterns: &[{}], enumeration: &{enumeration:?} }}",
            groups.join(", ")
        ));
        let id = self.simple.len() - 1;
        self.simple_ids.insert(name.clone(), id);
        Ok(id)
    }

    fn complex_id(&mut self, name: &QName) -> usize {
        if let Some(&i) = self.complex_ids.get(name) {
            return i;
        }
        self.complex.push(String::new());
        let id = self.complex.len() - 1;
        self.complex_ids.insert(name.clone(), id);
        self.complex_queue.push_back(name.clone());
        id
    }

    fn element(&mut self, set: &SchemaSet, name: &QName, ty: &QName) -> Result<usize, String> {
        let key = (name.clone(), ty.clone());
        if let Some(&i) = self.element_ids.get(&key) {
            return Ok(i);
        }
        let ty_src = if set.complex.contains_key(ty) {
            format!("ElementType::Complex({})", self.complex_id(ty))
        } else {
            format!("ElementType::Simple({})", self.simple(set, ty)?)
        };
        let ns = self.ns(&name.ns);
        self.elements.push(format!(
            "ElementDecl {{ name: {:?}, hash: {:#010x}, ns: {ns}, ty: {ty_src} }}",
            name.local,
            name_hash(name.local.as_bytes())
        ));
        let id = self.elements.len() - 1;
        self.element_ids.insert(key, id);
        Ok(id)
    }

    /// Converts a particle to the automaton's form, recording which element
    /// declaration each element key stands for.
    fn rep(&mut self, set: &SchemaSet, p: &Particle, decls: &mut BTreeMap<Key, usize>) -> Result<Rep, String> {
        let node = match &p.kind {
            ParticleKind::Element { name, ty } => self.leaf(set, name, ty, decls)?,
            ParticleKind::Ref(name) => {
                let ty = set
                    .elements
                    .get(name)
                    .ok_or_else(|| format!("unknown element ref {}", name.local))?
                    .clone();
                self.leaf(set, name, &ty, decls)?
            }
            ParticleKind::Any {
                other,
                target_ns,
                strict,
            } => {
                self.ns(target_ns);
                Node::Leaf(Key::Any {
                    other: *other,
                    target_ns: target_ns.clone(),
                    strict: *strict,
                })
            }
            ParticleKind::Sequence(items) | ParticleKind::Choice(items) => {
                let reps = items
                    .iter()
                    .map(|i| self.rep(set, i, decls))
                    .collect::<Result<Vec<_>, _>>()?;
                if matches!(p.kind, ParticleKind::Sequence(_)) {
                    Node::Sequence(reps)
                } else {
                    Node::Choice(reps)
                }
            }
        };
        Ok(Rep {
            node,
            min: p.min,
            max: p.max,
        })
    }

    fn leaf(
        &mut self,
        set: &SchemaSet,
        name: &QName,
        ty: &QName,
        decls: &mut BTreeMap<Key, usize>,
    ) -> Result<Node, String> {
        let id = self.element(set, name, ty)?;
        let key = Key::Element {
            ns: name.ns.clone(),
            local: name.local.clone(),
        };
        if let Some(prev) = decls.insert(key.clone(), id) {
            if prev != id {
                return Err(format!(
                    "element {} declared with two types in one content model",
                    name.local
                ));
            }
        }
        Ok(Node::Leaf(key))
    }

    /// The full content model of a complex type, base type first for extensions.
    fn model(
        &mut self,
        set: &SchemaSet,
        name: &QName,
        decls: &mut BTreeMap<Key, usize>,
    ) -> Result<Option<Rep>, String> {
        let def = set
            .complex
            .get(name)
            .ok_or_else(|| format!("unknown complex type {}", name.local))?
            .clone();
        let own = match &def.particle {
            Some(p) => Some(self.rep(set, p, decls)?),
            None => None,
        };
        let base = match &def.extends {
            Some(b) => self.model(set, b, decls)?,
            None => None,
        };
        Ok(match (base, own) {
            (Some(b), Some(o)) => Some(Rep {
                node: Node::Sequence(vec![b, o]),
                min: 1,
                max: Some(1),
            }),
            (b, o) => b.or(o),
        })
    }

    fn compile_complex(&mut self, set: &SchemaSet, name: &QName) -> Result<(), String> {
        let id = self.complex_ids[name];
        let def = set.complex[name].clone();
        let mut attrs = vec![];
        let mut chain = vec![def.clone()];
        let mut cur = def.extends.clone();
        while let Some(b) = cur {
            let d = set.complex.get(&b).ok_or("unknown base type")?.clone();
            cur = d.extends.clone();
            chain.push(d);
        }
        for d in chain.iter().rev() {
            for a in &d.attributes {
                let ty = self.simple(set, &a.ty)?;
                attrs.push(format!(
                    "AttributeDecl {{ name: {:?}, simple_type: {ty}, required: {} }}",
                    a.name, a.required
                ));
            }
        }
        let content = if let Some(base) = &def.simple_content {
            format!("Content::Simple({})", self.simple(set, base)?)
        } else {
            let mut decls = BTreeMap::new();
            let model = self.model(set, name, &mut decls)?;
            let dfa = automaton::compile(model.as_ref());
            let start = self.states.len();
            for state in &dfa {
                let mut ts = vec![];
                for (key, next, rep) in &state.transitions {
                    let term = match key {
                        Key::Element { .. } => format!("Term::Element({})", decls[key]),
                        Key::Any {
                            other,
                            target_ns,
                            strict,
                        } => format!(
                            "Term::Any(Wildcard {{ other: {other}, target_ns: {}, strict: {strict} }})",
                            self.ns(target_ns)
                        ),
                    };
                    ts.push(format!(
                        "Transition {{ term: {term}, next: {}, repeatable: {rep} }}",
                        start + next
                    ));
                }
                self.states.push(format!(
                    "State {{ accepting: {}, transitions: &[{}] }}",
                    state.accepting,
                    ts.join(", ")
                ));
            }
            let mut kids: Vec<(usize, u32, Option<u32>)> = vec![];
            if let Some(m) = &model {
                children(m, &decls, 1, Some(1), &mut kids);
            }
            let kids: Vec<String> = kids
                .iter()
                .map(|(el, min, max)| {
                    format!(
                        "Child {{ element: {el}, min: {min}, max: {} }}",
                        max.map_or("UNBOUNDED".to_string(), |m| m.to_string())
                    )
                })
                .collect();
            format!(
                "Content::Elements {{ start: {start}, mixed: {}, children: &[{}] }}",
                def.mixed,
                kids.join(", ")
            )
        };
        self.complex[id] = format!(
            "ComplexType {{ name: {:?}, content: {content}, attributes: &[{}] }}",
            def.display,
            attrs.join(", ")
        );
        Ok(())
    }
}

/// The declared child elements of a content model in schema order, each
/// with how often it may occur in all (wildcards are left out). Occurrence
/// bounds multiply down the particle tree; a choice makes its branches
/// optional. An element that appears twice keeps its first place.
fn children(
    rep: &Rep,
    decls: &BTreeMap<Key, usize>,
    min: u32,
    max: Option<u32>,
    out: &mut Vec<(usize, u32, Option<u32>)>,
) {
    let min = min * rep.min;
    let max = match (max, rep.max) {
        (Some(a), Some(b)) => Some(a * b),
        _ => None,
    };
    match &rep.node {
        Node::Leaf(key @ Key::Element { .. }) => {
            let el = decls[key];
            match out.iter_mut().find(|c| c.0 == el) {
                // Only xmldsig's choices name an element twice, one branch
                // each, so the wider bounds of the two are the right ones.
                Some(c) => {
                    c.1 = c.1.min(min);
                    c.2 = c.2.zip(max).map(|(a, b)| a.max(b));
                }
                None => out.push((el, min, max)),
            }
        }
        Node::Leaf(Key::Any { .. }) => {}
        Node::Sequence(items) => items.iter().for_each(|r| children(r, decls, min, max, out)),
        Node::Choice(items) => items.iter().for_each(|r| children(r, decls, 0, max, out)),
    }
}

/// Files reachable from `file` through imports, itself included.
fn import_closure<'a>(set: &'a SchemaSet, file: &'a str) -> Vec<&'a str> {
    let mut seen = vec![file];
    let mut i = 0;
    while i < seen.len() {
        for imp in set.imports.get(seen[i]).into_iter().flatten() {
            if !seen.contains(&imp.as_str()) {
                seen.push(imp);
            }
        }
        i += 1;
    }
    seen
}

/// Generates the Rust source of the tables for the loaded schema set.
pub fn generate(set: &SchemaSet, header: &str) -> Result<String, String> {
    let mut t = Tables::default();
    t.ns("");
    // Roots: the global elements of every IR entry schema, by file name.
    let mut roots = vec![];
    for (file, names) in &set.elements_by_file {
        if file == XMLDSIG_FILE {
            continue;
        }
        for name in names {
            let id = t.element(set, name, &set.elements[name])?;
            roots.push((id, file.clone()));
        }
    }
    while let Some(name) = t.complex_queue.pop_front() {
        t.compile_complex(set, &name)?;
    }
    let mut root_src = vec![];
    for (id, file) in &roots {
        let mut globals = vec![];
        for f in import_closure(set, file) {
            for name in set.elements_by_file.get(f).into_iter().flatten() {
                globals.push(t.element(set, name, &set.elements[name])?);
            }
        }
        root_src.push(format!(
            "Root {{ element: {id}, schema_file: {file:?}, globals: &{globals:?} }}"
        ));
    }
    // Globals may have pulled in more types.
    while let Some(name) = t.complex_queue.pop_front() {
        t.compile_complex(set, &name)?;
    }
    let mut out = String::new();
    out.push_str(header);
    out.push_str("use super::model::*;\n\n");
    let mut array = |name: &str, ty: &str, items: &[String]| {
        let _ = writeln!(out, "pub static {name}: [{ty}; {}] = [", items.len());
        for (i, item) in items.iter().enumerate() {
            let _ = writeln!(out, "    /* {i} */ {item},");
        }
        out.push_str("];\n\n");
    };
    let ns: Vec<String> = t.namespaces.iter().map(|n| format!("{n:?}")).collect();
    array("NAMESPACES", "&str", &ns);
    array("SIMPLE_TYPES", "SimpleType", &t.simple);
    array("COMPLEX_TYPES", "ComplexType", &t.complex);
    array("ELEMENTS", "ElementDecl", &t.elements);
    array("STATES", "State", &t.states);
    array("ROOTS", "Root", &root_src);
    Ok(out)
}

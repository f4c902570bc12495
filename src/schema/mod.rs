//! The compiled Incomes Register schema set, and a read-only view of it
//! ([`roots`], [`Element::shape`]) for tools that describe records.

#[rustfmt::skip]
#[allow(missing_docs)]
mod generated;
// The raw tables: the validator's and the project's own tools' (not API).
mod describe;
#[doc(hidden)]
#[allow(missing_docs)]
pub mod model;
mod view;

pub use describe::describe;
#[doc(hidden)]
pub use generated::{COMPLEX_TYPES, ELEMENTS, NAMESPACES, ROOTS, SIMPLE_TYPES, STATES};
pub use view::{root, roots, Element, Field, Shape, ValueKind, ValueType};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_hashes_match_their_names() {
        for e in ELEMENTS.iter() {
            assert_eq!(e.hash, model::name_hash(e.name.as_bytes()), "{}", e.name);
        }
    }

    #[test]
    fn every_transition_and_root_points_inside_the_tables() {
        for s in STATES.iter() {
            for t in s.transitions {
                assert!((t.next as usize) < STATES.len());
                if let model::Term::Element(el) = t.term {
                    assert!((el as usize) < ELEMENTS.len());
                }
            }
        }
        assert_eq!(ROOTS.len(), 29, "the 2022 package has 29 record roots");
    }

    /// Paths number an element (`[n]`) when its transition is repeatable, and
    /// the object shape makes it an array when its child entry repeats: the
    /// two must agree for object paths and element paths to map one to one.
    #[test]
    fn child_lists_agree_with_the_automata() {
        for ct in COMPLEX_TYPES.iter() {
            let model::Content::Elements { start, children, .. } = ct.content else {
                continue;
            };
            let mut seen = vec![start];
            let mut i = 0;
            while i < seen.len() {
                for t in STATES[seen[i] as usize].transitions {
                    if let model::Term::Element(el) = t.term {
                        let child = children.iter().find(|c| c.element == el);
                        let child =
                            child.unwrap_or_else(|| panic!("{}: {} not listed", ct.name, ELEMENTS[el as usize].name));
                        assert_eq!(
                            child.repeats(),
                            t.repeatable,
                            "{} in {}",
                            ELEMENTS[el as usize].name,
                            ct.name
                        );
                    }
                    if !seen.contains(&t.next) {
                        seen.push(t.next);
                    }
                }
                i += 1;
            }
        }
    }
}

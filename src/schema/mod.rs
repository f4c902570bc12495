//! The compiled Incomes Register schema set.

#[rustfmt::skip]
mod generated;
pub mod model;

pub use generated::{COMPLEX_TYPES, ELEMENTS, NAMESPACES, ROOTS, SIMPLE_TYPES, STATES};

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
}

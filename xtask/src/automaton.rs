//! Content models to deterministic automata: a Thompson construction with
//! bounded repetitions unrolled, then the subset construction. XML Schema's
//! Unique Particle Attribution rule makes the result small.

use std::collections::{BTreeSet, HashMap};

/// What an edge consumes. Elements compare by (namespace, local name); the
/// payload is the element declaration index chosen by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Element {
        ns: String,
        local: String,
    },
    Any {
        other: bool,
        target_ns: String,
        strict: bool,
    },
}

/// A particle already resolved to keys, built by the caller from the XSD.
#[derive(Debug, Clone)]
pub enum Node {
    Leaf(Key),
    Sequence(Vec<Rep>),
    Choice(Vec<Rep>),
}

#[derive(Debug, Clone)]
pub struct Rep {
    pub node: Node,
    pub min: u32,
    pub max: Option<u32>,
}

#[derive(Default)]
struct Nfa {
    eps: Vec<Vec<usize>>,
    /// (key, target, repeatable)
    edges: Vec<Vec<(Key, usize, bool)>>,
}

impl Nfa {
    fn state(&mut self) -> usize {
        self.eps.push(vec![]);
        self.edges.push(vec![]);
        self.eps.len() - 1
    }

    fn rep(&mut self, r: &Rep, from: usize, repeated: bool) -> usize {
        let repeated = repeated || r.max != Some(1);
        let mut cur = from;
        for _ in 0..r.min {
            cur = self.once(&r.node, cur, repeated);
        }
        match r.max {
            None => {
                let hub = self.state();
                self.eps[cur].push(hub);
                let end = self.once(&r.node, hub, repeated);
                self.eps[end].push(hub);
                hub
            }
            Some(max) => {
                for _ in r.min..max {
                    let taken = self.once(&r.node, cur, repeated);
                    let end = self.state();
                    self.eps[cur].push(end);
                    self.eps[taken].push(end);
                    cur = end;
                }
                cur
            }
        }
    }

    fn once(&mut self, node: &Node, from: usize, repeated: bool) -> usize {
        match node {
            Node::Leaf(key) => {
                let to = self.state();
                self.edges[from].push((key.clone(), to, repeated));
                to
            }
            Node::Sequence(items) => items.iter().fold(from, |cur, item| self.rep(item, cur, repeated)),
            Node::Choice(items) => {
                let end = self.state();
                for item in items {
                    let e = self.rep(item, from, repeated);
                    self.eps[e].push(end);
                }
                if items.is_empty() {
                    self.eps[from].push(end);
                }
                end
            }
        }
    }

    fn closure(&self, set: &mut BTreeSet<usize>) {
        let mut stack: Vec<usize> = set.iter().copied().collect();
        while let Some(s) = stack.pop() {
            for &t in &self.eps[s] {
                if set.insert(t) {
                    stack.push(t);
                }
            }
        }
    }
}

pub struct DfaState {
    pub accepting: bool,
    /// (key, target state, repeatable), in schema order.
    pub transitions: Vec<(Key, usize, bool)>,
}

/// Compiles a content model (or the empty model, for `None`) to a DFA whose
/// state 0 is the start state.
pub fn compile(model: Option<&Rep>) -> Vec<DfaState> {
    let mut nfa = Nfa::default();
    let start = nfa.state();
    let end = match model {
        Some(rep) => nfa.rep(rep, start, false),
        None => start,
    };
    let mut first = BTreeSet::from([start]);
    nfa.closure(&mut first);
    let mut ids: HashMap<BTreeSet<usize>, usize> = HashMap::from([(first.clone(), 0)]);
    let mut queue = vec![first];
    let mut out: Vec<DfaState> = vec![];
    let mut i = 0;
    while i < queue.len() {
        let set = queue[i].clone();
        i += 1;
        // Keys in the order first met: NFA states are numbered in schema
        // order, so the element a document most likely has next comes first.
        let mut moves: Vec<(Key, BTreeSet<usize>, bool)> = vec![];
        for &s in &set {
            for (key, to, rep) in &nfa.edges[s] {
                match moves.iter_mut().find(|m| &m.0 == key) {
                    Some(m) => {
                        m.1.insert(*to);
                        m.2 |= *rep;
                    }
                    None => moves.push((key.clone(), BTreeSet::from([*to]), *rep)),
                }
            }
        }
        let mut transitions = vec![];
        for (key, mut target, rep) in moves {
            nfa.closure(&mut target);
            let next = match ids.get(&target) {
                Some(&id) => id,
                None => {
                    let id = ids.len();
                    ids.insert(target.clone(), id);
                    queue.push(target);
                    id
                }
            };
            transitions.push((key, next, rep));
        }
        out.push(DfaState {
            accepting: set.contains(&end),
            transitions,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(name: &str, min: u32, max: Option<u32>) -> Rep {
        Rep {
            node: Node::Leaf(Key::Element {
                ns: String::new(),
                local: name.into(),
            }),
            min,
            max,
        }
    }

    fn accepts(dfa: &[DfaState], word: &[&str]) -> bool {
        let mut s = 0;
        for w in word {
            let hit = dfa[s]
                .transitions
                .iter()
                .find(|(k, _, _)| matches!(k, Key::Element { local, .. } if local == w));
            match hit {
                Some((_, next, _)) => s = *next,
                None => return false,
            }
        }
        dfa[s].accepting
    }

    #[test]
    fn sequence_with_bounds() {
        let model = Rep {
            node: Node::Sequence(vec![leaf("A", 1, Some(1)), leaf("B", 0, Some(2)), leaf("C", 1, None)]),
            min: 1,
            max: Some(1),
        };
        let dfa = compile(Some(&model));
        assert!(accepts(&dfa, &["A", "C"]));
        assert!(accepts(&dfa, &["A", "B", "B", "C", "C", "C"]));
        assert!(!accepts(&dfa, &["A", "B", "B", "B", "C"]));
        assert!(!accepts(&dfa, &["A"]));
        assert!(!accepts(&dfa, &["C"]));
    }

    #[test]
    fn choice_repeated() {
        let model = Rep {
            node: Node::Choice(vec![leaf("X", 1, Some(1)), leaf("Y", 1, Some(1))]),
            min: 1,
            max: None,
        };
        let dfa = compile(Some(&model));
        assert!(accepts(&dfa, &["X", "Y", "X"]));
        assert!(!accepts(&dfa, &[]));
    }
}

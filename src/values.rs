//! Jitted functions as values: the identities behind `Type::Function`.
//!
//! A dispatcher passed as an argument (`newton(f, x0)`) is typed by its function's identity, a
//! number this registry hands out once per function (counting up, never reused: a function that
//! died cannot be mistaken for a new one at the same address). The compiler turns the identity
//! back into the function when the value is called.

use crate::FunctionDef;
use std::sync::{Arc, Mutex, PoisonError, Weak};

static FUNCTIONS: Mutex<Vec<(u64, Weak<FunctionDef>)>> = Mutex::new(Vec::new());

/// The identity of `def` as a value.
pub fn function_id(def: &Arc<FunctionDef>) -> u64 {
    let mut known = FUNCTIONS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((id, _)) = known
        .iter()
        .find(|(_, weak)| weak.upgrade().is_some_and(|f| Arc::ptr_eq(&f, def)))
    {
        return *id;
    }
    known.retain(|(_, weak)| weak.strong_count() > 0);
    let id = known
        .iter()
        .map(|(id, _)| id + 1)
        .max()
        .unwrap_or(1)
        .max(next_id());
    known.push((id, Arc::downgrade(def)));
    id
}

/// The function with identity `id`, while it lives.
pub fn function_of(id: u64) -> Option<Arc<FunctionDef>> {
    let known = FUNCTIONS.lock().unwrap_or_else(PoisonError::into_inner);
    known.iter().find(|(i, _)| *i == id)?.1.upgrade()
}

/// Identities only grow, even after entries are dropped.
fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

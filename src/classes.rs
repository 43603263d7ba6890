//! The table of `@jitclass` classes, filled by the Python bridge when a class is decorated and
//! read by the driver when code uses one (`Type::Instance`'s `class` is a key here).
//!
//! A class is its fields (in order, with their offsets from `typeinfer::classes`), its methods,
//! properties and static methods (jitted functions; methods and properties take the instance
//! first), and its constructor: a jitted function that allocates the object, runs `__init__`
//! and returns it. Registering a class also tells the runtime what to release when one of its
//! objects is freed.

use crate::FunctionDef;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use typeinfer::Type;
use typeinfer::classes::field_layout;

/// One `@jitclass` class.
pub struct ClassDef {
    pub id: u64,
    pub name: String,
    /// The fields in declaration order, with their types.
    pub fields: Vec<(String, Type)>,
    /// Each field's byte offset in the object.
    pub offsets: Vec<i32>,
    /// The object's size in bytes.
    pub size: i64,
    pub methods: HashMap<String, Arc<FunctionDef>>,
    /// Getter and optional setter of each property.
    pub properties: HashMap<String, (Arc<FunctionDef>, Option<Arc<FunctionDef>>)>,
    pub statics: HashMap<String, Arc<FunctionDef>>,
    /// Set once the constructor (which refers to the class) is made.
    pub constructor: OnceLock<Arc<FunctionDef>>,
}

fn table() -> &'static RwLock<HashMap<u64, Arc<ClassDef>>> {
    static TABLE: OnceLock<RwLock<HashMap<u64, Arc<ClassDef>>>> = OnceLock::new();
    TABLE.get_or_init(Default::default)
}

/// A fresh class id.
pub fn next_class_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The class of id `id`, if registered.
pub fn class(id: u64) -> Option<Arc<ClassDef>> {
    table()
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(&id)
        .cloned()
}

/// Lays out `fields` and registers the class; `Err` says which field type is not allowed.
pub fn register(
    id: u64,
    name: String,
    fields: Vec<(String, Type)>,
    methods: HashMap<String, Arc<FunctionDef>>,
    properties: HashMap<String, (Arc<FunctionDef>, Option<Arc<FunctionDef>>)>,
    statics: HashMap<String, Arc<FunctionDef>>,
) -> Result<Arc<ClassDef>, String> {
    let (offsets, size) = field_layout(&fields)?;
    let mut layout = runtime::object::ClassLayout {
        size: size as usize,
        ..Default::default()
    };
    for ((_, ty), &offset) in fields.iter().zip(&offsets) {
        match ty {
            Type::Array { ndim, .. } => layout.arrays.push((offset as usize, u32::from(*ndim))),
            Type::Instance { .. } | Type::Optional(_) => layout.objects.push(offset as usize),
            _ => {}
        }
    }
    runtime::object::register_class(id as i64, layout);
    let def = Arc::new(ClassDef {
        id,
        name,
        fields,
        offsets,
        size,
        methods,
        properties,
        statics,
        constructor: OnceLock::new(),
    });
    table()
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, def.clone());
    Ok(def)
}

impl ClassDef {
    /// What `instance.name` is, with jitted functions as `FunctionDef`s.
    pub fn member(&self, name: &str) -> Option<Member> {
        if let Some(i) = self.fields.iter().position(|(f, _)| f == name) {
            return Some(Member::Field {
                offset: self.offsets[i],
                ty: self.fields[i].1.clone(),
            });
        }
        if let Some(def) = self.methods.get(name) {
            return Some(Member::Method(def.clone()));
        }
        if let Some((getter, setter)) = self.properties.get(name) {
            return Some(Member::Property(getter.clone(), setter.clone()));
        }
        self.statics
            .get(name)
            .map(|def| Member::Static(def.clone()))
    }
}

/// An attribute of a class, before the driver gives its functions callee ids.
pub enum Member {
    Field { offset: i32, ty: Type },
    Method(Arc<FunctionDef>),
    Property(Arc<FunctionDef>, Option<Arc<FunctionDef>>),
    Static(Arc<FunctionDef>),
}

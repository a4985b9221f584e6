//! Name resolution: what a path written in a module means.
//!
//! Each module (file or inline `mod x { … }`) and each block has a
//! [`Scope`]: the items it defines, its `use` imports (renames and nested
//! groups included) and its glob imports. [`CrateIndex::resolve`] turns a
//! written path into an absolute one:
//!
//! - `crate::…`, `self::…`, `super::…` are rooted at the crate and then
//!   followed through the target module's own imports (re-exports);
//! - a first segment is looked up in the enclosing blocks, then the module
//!   (items before imports), then the globs (a glob of one of our modules is
//!   looked up in that module; a glob of an outside module such as
//!   `std::time::*` supplies a name only where the result matters to a
//!   rule, since the guard does not know what outside modules contain);
//! - anything else is an outside crate, with `Cargo.toml` renames
//!   (`evented = { package = "mio" }`) and `extern crate x as y` undone.
//!
//! Local items resolve to `crate::module::name`, which no rule matches, so
//! a crate's own `struct Instant` is not mistaken for `std::time::Instant`.

use std::collections::{BTreeMap, BTreeSet};

use super::rules;
use super::source::is_test_code;

/// The most re-export hops followed before giving up (cycles).
const MAX_DEPTH: usize = 16;

/// The names one module or block brings into scope.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    /// Items defined here (functions, types, modules, constants…).
    pub items: BTreeSet<String>,
    /// `use` imports: local name → path as written.
    pub uses: BTreeMap<String, Vec<String>>,
    /// Glob imports, as written.
    pub globs: Vec<Vec<String>>,
}

impl Scope {
    /// The scope made by `items` (non-test items only).
    pub fn of_items<'a>(items: impl IntoIterator<Item = &'a syn::Item>) -> Scope {
        let mut scope = Scope::default();
        for item in items {
            if is_test_code(super::source::item_attrs(item)) {
                continue;
            }
            scope.add(item);
        }
        scope
    }

    fn add(&mut self, item: &syn::Item) {
        use syn::Item;
        let name = match item {
            Item::Use(u) => {
                let prefix = if u.leading_colon.is_some() {
                    vec!["::".to_string()]
                } else {
                    Vec::new()
                };
                self.add_use_tree(prefix, &u.tree);
                return;
            }
            Item::ExternCrate(e) => {
                let local = e.rename.as_ref().map_or(&e.ident, |(_, r)| r).to_string();
                self.uses
                    .insert(local, vec!["::".into(), e.ident.to_string()]);
                return;
            }
            Item::Const(i) => &i.ident,
            Item::Enum(i) => &i.ident,
            Item::Fn(i) => &i.sig.ident,
            Item::Mod(i) => &i.ident,
            Item::Static(i) => &i.ident,
            Item::Struct(i) => &i.ident,
            Item::Trait(i) => &i.ident,
            Item::TraitAlias(i) => &i.ident,
            Item::Type(i) => {
                // `type Clock = std::time::Instant;` names a path the way a
                // `use` does; an alias with generic arguments (a map with
                // its hasher, say) stays an item of its own.
                if let Some(target) =
                    plain_type_path(&i.ty).filter(|_| i.generics.params.is_empty())
                {
                    self.uses.insert(i.ident.to_string(), target);
                    return;
                }
                &i.ident
            }
            Item::Union(i) => &i.ident,
            _ => return,
        };
        self.items.insert(name.to_string());
    }

    fn add_use_tree(&mut self, prefix: Vec<String>, tree: &syn::UseTree) {
        use syn::UseTree;
        match tree {
            UseTree::Path(p) => {
                let mut next = prefix;
                next.push(p.ident.to_string());
                self.add_use_tree(next, &p.tree);
            }
            UseTree::Name(n) if n.ident == "self" => {
                if let Some(last) = prefix.last() {
                    self.uses.insert(last.clone(), prefix.clone());
                }
            }
            UseTree::Name(n) => {
                let mut path = prefix;
                path.push(n.ident.to_string());
                self.uses.insert(n.ident.to_string(), path);
            }
            UseTree::Rename(r) if r.rename == "_" => {}
            UseTree::Rename(r) => {
                let mut path = prefix;
                if r.ident != "self" {
                    path.push(r.ident.to_string());
                }
                self.uses.insert(r.rename.to_string(), path);
            }
            UseTree::Glob(_) => self.globs.push(prefix),
            UseTree::Group(g) => {
                for t in &g.items {
                    self.add_use_tree(prefix.clone(), t);
                }
            }
        }
    }
}

/// Every module scope of one crate, and its dependency renames.
#[derive(Debug, Default)]
pub struct CrateIndex {
    /// Module path from the crate root (empty for the root) → its scope.
    pub modules: BTreeMap<Vec<String>, Scope>,
    /// Name a dependency has in code → the crate's own name.
    pub externs: BTreeMap<String, String>,
    /// Names other workspace crates re-export from outside crates
    /// (`sansrtc_x::Clock` → `std::time::Instant`), see [`exports`](Self::exports).
    pub foreign: BTreeMap<Vec<String>, Vec<String>>,
}

impl CrateIndex {
    /// The absolute path that `path`, written in `module` inside the
    /// `blocks` (innermost last), stands for.
    pub fn resolve(&self, module: &[String], blocks: &[Scope], path: &[String]) -> Vec<String> {
        self.resolve_at(module, blocks, path, 0)
    }

    fn resolve_at(
        &self,
        module: &[String],
        blocks: &[Scope],
        path: &[String],
        depth: usize,
    ) -> Vec<String> {
        let Some(first) = path.first() else {
            return Vec::new();
        };
        if depth > MAX_DEPTH {
            return path.to_vec();
        }
        let rest = &path[1..];
        match first.as_str() {
            "::" => match rest.split_first() {
                Some((krate, tail)) => self.outside(krate, tail),
                None => Vec::new(),
            },
            "crate" => self.canonical(join(vec!["crate".into()], rest), depth + 1),
            "self" => self.canonical(join(crate_path(module), rest), depth + 1),
            "super" => {
                let mut base = module.to_vec();
                let mut tail = path;
                while tail.first().is_some_and(|s| s == "super") {
                    base.pop();
                    tail = &tail[1..];
                }
                self.canonical(join(crate_path(&base), tail), depth + 1)
            }
            "Self" => path.to_vec(),
            name => match self.lookup(module, blocks, name, depth + 1) {
                Some(found) => self.canonical(join(found, rest), depth + 1),
                None => self.outside(name, rest),
            },
        }
    }

    /// What `name` means in `module` inside `blocks`, if something there
    /// (or a glob) defines it; `None` means an outside crate or the prelude.
    fn lookup(
        &self,
        module: &[String],
        blocks: &[Scope],
        name: &str,
        depth: usize,
    ) -> Option<Vec<String>> {
        for (i, block) in blocks.iter().enumerate().rev() {
            if block.items.contains(name) {
                let mut local = crate_path(module);
                local.extend(["{block}".to_string(), name.to_string()]);
                return Some(local);
            }
            if let Some(target) = block.uses.get(name) {
                return Some(self.resolve_at(module, &blocks[..i], target, depth + 1));
            }
        }
        let scope = self.modules.get(module);
        if let Some(scope) = scope {
            if scope.items.contains(name) {
                let mut local = crate_path(module);
                local.push(name.to_string());
                return Some(local);
            }
            if let Some(target) = scope.uses.get(name) {
                return Some(self.resolve_at(module, &[], target, depth + 1));
            }
        }
        let block_globs = blocks.iter().rev().flat_map(|b| b.globs.iter());
        for glob in block_globs.chain(scope.into_iter().flat_map(|s| s.globs.iter())) {
            let prefix = self.resolve_at(module, &[], glob, depth + 1);
            if let Some(found) = self.glob_lookup(&prefix, name, depth + 1) {
                return Some(found);
            }
        }
        None
    }

    /// `name` as brought in by a glob of the absolute `prefix`.
    fn glob_lookup(&self, prefix: &[String], name: &str, depth: usize) -> Option<Vec<String>> {
        if depth > MAX_DEPTH {
            return None;
        }
        if prefix.first().is_some_and(|s| s == "crate") {
            let module = &prefix[1..];
            // Globs of our modules may refer to each other: few hops.
            return if self.modules.contains_key(module) {
                self.lookup(module, &[], name, depth + 4)
            } else {
                None // an enum's variants, say
            };
        }
        let mut candidate = prefix.to_vec();
        candidate.push(name.to_string());
        rules::is_relevant(&candidate).then_some(candidate)
    }

    /// Follows `crate::a::b::…` through the imports of module `a` (so a
    /// re-export `pub use std::time::Instant as Clock;` is seen through).
    fn canonical(&self, path: Vec<String>, depth: usize) -> Vec<String> {
        if depth > MAX_DEPTH || path.first().map(String::as_str) != Some("crate") {
            return path;
        }
        let mut module_len = 0;
        while module_len + 1 < path.len() && self.modules.contains_key(&path[1..module_len + 2]) {
            module_len += 1;
        }
        let module = &path[1..module_len + 1];
        let Some(name) = path.get(module_len + 1) else {
            return path;
        };
        let Some(scope) = self.modules.get(module) else {
            return path;
        };
        if scope.items.contains(name) {
            return path;
        }
        let rest = &path[module_len + 2..];
        match self.lookup(module, &[], name, depth + 1) {
            Some(found) => self.canonical(join(found, rest), depth + 1),
            None => path,
        }
    }

    /// The path `krate::rest` into an outside crate, seen through what a
    /// workspace crate re-exports.
    fn outside(&self, krate: &str, rest: &[String]) -> Vec<String> {
        let path = join(vec![self.extern_name(krate)], rest);
        let found = (1..=path.len())
            .rev()
            .find_map(|n| self.foreign.get(&path[..n]).map(|target| (n, target)));
        match found {
            Some((n, target)) => join(target.clone(), &path[n..]),
            None => path,
        }
    }

    /// What this crate, named `lib` in code, re-exports from outside
    /// crates: `lib::module::Name` → the outside path (every `use` and
    /// plain type alias of every module, whatever its visibility).
    pub fn exports(&self, lib: &str) -> BTreeMap<Vec<String>, Vec<String>> {
        let mut out = BTreeMap::new();
        for (module, scope) in &self.modules {
            for name in scope.uses.keys() {
                let target = self.resolve(module, &[], std::slice::from_ref(name));
                if target.first().is_some_and(|s| s != "crate") {
                    let mut key = vec![lib.to_string()];
                    key.extend(module.iter().cloned());
                    key.push(name.clone());
                    out.insert(key, target);
                }
            }
        }
        out
    }

    fn extern_name(&self, name: &str) -> String {
        self.externs
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }
}

fn crate_path(module: &[String]) -> Vec<String> {
    let mut p = vec!["crate".to_string()];
    p.extend(module.iter().cloned());
    p
}

fn join(mut head: Vec<String>, tail: &[String]) -> Vec<String> {
    head.extend(tail.iter().cloned());
    head
}

/// The segments of a type that is a plain path without generic arguments.
fn plain_type_path(ty: &syn::Type) -> Option<Vec<String>> {
    let syn::Type::Path(p) = ty else { return None };
    if p.qself.is_some() || p.path.segments.iter().any(|s| !s.arguments.is_none()) {
        return None;
    }
    let mut out: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if p.path.leading_colon.is_some() {
        out.insert(0, "::".into());
    }
    Some(out)
}

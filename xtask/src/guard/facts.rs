//! What the guard learns about a crate before checking it, so that
//! `x.elapsed()` can be judged without a type checker: which struct fields
//! and which functions have a clock type (`std::time::Instant` or
//! `SystemTime`), and whether the crate defines an `elapsed` method of its
//! own (netsim's simulated `Network::elapsed`, say).

use std::collections::BTreeSet;

use syn::visit::Visit;

use super::rules::CLOCK_TYPES;
use super::scope::CrateIndex;
use super::source::{is_test_code, CrateTree};

/// Clock-typed names of one crate.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// Names of fields declared with a clock type (in any struct).
    pub clock_fields: BTreeSet<String>,
    /// Names of functions and methods that return a clock type.
    pub clock_fns: BTreeSet<String>,
    /// Whether a function or method named `elapsed` is defined (here or,
    /// once merged, in a workspace crate this one depends on).
    pub defines_elapsed: bool,
}

impl Facts {
    /// Collects the facts of every non-test file of `trees`.
    pub fn of(trees: &[CrateTree]) -> Facts {
        let mut facts = Facts::default();
        for tree in trees {
            for file in tree.files.iter().filter(|f| !f.test) {
                let mut v = Collector {
                    index: &tree.index,
                    module: file.module.clone(),
                    facts: &mut facts,
                };
                v.visit_file(&file.ast);
            }
        }
        facts
    }
}

/// Whether `ty` (references stripped) resolves to a clock type.
pub fn is_clock_type(index: &CrateIndex, module: &[String], ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(r) => is_clock_type(index, module, &r.elem),
        syn::Type::Paren(p) => is_clock_type(index, module, &p.elem),
        syn::Type::Group(g) => is_clock_type(index, module, &g.elem),
        syn::Type::Path(p) if p.qself.is_none() => {
            let written: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let mut written = written;
            if p.path.leading_colon.is_some() {
                written.insert(0, "::".into());
            }
            let resolved = index.resolve(module, &[], &written).join("::");
            CLOCK_TYPES.contains(&resolved.as_str())
        }
        _ => false,
    }
}

struct Collector<'a> {
    index: &'a CrateIndex,
    module: Vec<String>,
    facts: &'a mut Facts,
}

impl Collector<'_> {
    fn signature(&mut self, sig: &syn::Signature) {
        if sig.ident == "elapsed" {
            self.facts.defines_elapsed = true;
        }
        if let syn::ReturnType::Type(_, ty) = &sig.output {
            if is_clock_type(self.index, &self.module, ty) {
                self.facts.clock_fns.insert(sig.ident.to_string());
            }
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test_code(super::source::item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if let Some((_, items)) = &m.content {
            self.module.push(m.ident.to_string());
            for item in items {
                self.visit_item(item);
            }
            self.module.pop();
        }
    }

    fn visit_signature(&mut self, sig: &'ast syn::Signature) {
        self.signature(sig);
    }

    fn visit_field(&mut self, field: &'ast syn::Field) {
        if let Some(name) = &field.ident {
            if is_clock_type(self.index, &self.module, &field.ty) {
                self.facts.clock_fields.insert(name.to_string());
            }
        }
    }
}

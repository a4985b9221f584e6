//! The check of one non-test source file: every path (in expressions,
//! types, patterns, bounds, and inside macro arguments) is resolved and
//! matched against [`rules`]; method calls are matched by
//! name where that is safe; `.elapsed()` is judged by the receiver's
//! clock type as far as [`Facts`] and local annotations tell. Test items
//! (`#[cfg(test)]`, `#[test]`) are skipped; comments and string literals
//! are not code to syn, so they neither trigger nor exempt anything.

use std::collections::BTreeMap;

use proc_macro2::{Spacing, Span, TokenStream, TokenTree};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::visit::Visit;

use super::facts::{is_clock_type, Facts};
use super::rules::{self, Kind};
use super::scope::{CrateIndex, Scope};
use super::source::{is_test_code, item_attrs};

/// One forbidden use found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// 1-based line.
    pub line: usize,
    /// The item it sits in: module path from the crate root, then type and
    /// function names (`association::Receiver::on_forward_tsn`); empty at
    /// the top of the crate root.
    pub item: String,
    /// The forbidden path as the rule names it (`std::time::Instant::now`).
    pub forbidden: String,
    /// What the code wrote and what it resolves to.
    pub what: String,
}

/// Checks one file's items, written in `module` of the crate `index`.
pub fn scan_file(
    index: &CrateIndex,
    facts: &Facts,
    module: &[String],
    file: &syn::File,
) -> Vec<Finding> {
    let mut s = Scanner {
        index,
        facts,
        module: module.to_vec(),
        item: module.to_vec(),
        blocks: Vec::new(),
        locals: vec![BTreeMap::new()],
        self_ty: Vec::new(),
        findings: Vec::new(),
    };
    for item in &file.items {
        s.visit_item(item);
    }
    s.findings
}

struct Scanner<'a> {
    index: &'a CrateIndex,
    facts: &'a Facts,
    /// Module the code being visited is in.
    module: Vec<String>,
    /// Item path for allows.
    item: Vec<String>,
    /// Block scopes, innermost last.
    blocks: Vec<Scope>,
    /// Local bindings, innermost scope last: name → has a clock type.
    locals: Vec<BTreeMap<String, bool>>,
    /// The written self type of each enclosing `impl` (`None`: not a path).
    self_ty: Vec<Option<Vec<String>>>,
    findings: Vec<Finding>,
}

impl Scanner<'_> {
    fn resolve(&self, written: &[String]) -> Vec<String> {
        match (written.split_first(), self.self_ty.last()) {
            (Some((first, rest)), Some(Some(self_ty))) if first == "Self" => {
                let mut path = self_ty.clone();
                path.extend(rest.iter().cloned());
                self.index.resolve(&self.module, &self.blocks, &path)
            }
            _ => self.index.resolve(&self.module, &self.blocks, written),
        }
    }

    fn report(&mut self, span: Span, forbidden: &str, kind: Kind, what: String) {
        self.findings.push(Finding {
            line: span.start().line,
            item: self.item.join("::"),
            forbidden: forbidden.to_string(),
            what: format!("{what}: {}", kind.why()),
        });
    }

    /// Checks a path written as `written` (with the generic argument count
    /// of each written segment, when known).
    fn check_path(&mut self, span: Span, written: &[String], args: &[Option<usize>]) {
        let resolved = self.resolve(written);
        let shown = describe(written, &resolved);
        if let Some(rule) = rules::matching_rule(&resolved) {
            // A bare crate name (`polling` as a variable) is not a use of it.
            if resolved.len() > 1 || rule.path.contains("::") {
                self.report(span, rule.path, rule.kind, shown);
                return;
            }
        }
        if let Some((name, kind)) = resolved.last().and_then(|last| {
            rules::LAST_SEGMENTS
                .iter()
                .find(|(n, _)| n == last)
                .filter(|_| resolved.len() > 1)
        }) {
            self.report(span, name, *kind, shown);
            return;
        }
        self.check_hash_map(span, written, args, &resolved, shown);
    }

    fn check_hash_map(
        &mut self,
        span: Span,
        written: &[String],
        args: &[Option<usize>],
        resolved: &[String],
        shown: String,
    ) {
        for (map, defaults) in rules::HASH_MAPS {
            let map_len = map.split("::").count();
            if resolved.len() < map_len || resolved[..map_len].join("::") != *map {
                continue;
            }
            // The written segment that names the map: prefix replacement
            // keeps the tail of the path aligned.
            let index = (map_len - 1) as isize - (resolved.len() as isize - written.len() as isize);
            let map_args = usize::try_from(index)
                .ok()
                .and_then(|i| args.get(i).copied().flatten());
            let named_hasher = map_args.is_some_and(|n| n > *defaults);
            let flagged = match resolved.get(map_len) {
                None => map_args == Some(*defaults),
                Some(ctor) if ctor == "default" || ctor == "from_iter" => !named_hasher,
                Some(ctor) => rules::HASH_MAP_CONSTRUCTORS.contains(&ctor.as_str()),
            };
            if flagged {
                self.report(span, map, Kind::HashState, shown);
            }
            return;
        }
    }

    /// Whether the expression has a clock type, as far as can be told.
    fn is_clock_expr(&self, e: &syn::Expr) -> bool {
        use syn::Expr;
        match e {
            Expr::Paren(p) => self.is_clock_expr(&p.expr),
            Expr::Group(g) => self.is_clock_expr(&g.expr),
            Expr::Reference(r) => self.is_clock_expr(&r.expr),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.is_clock_expr(&u.expr),
            Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => self.is_clock_expr(&b.left),
            Expr::Field(f) => match &f.member {
                syn::Member::Named(n) => self.facts.clock_fields.contains(&n.to_string()),
                syn::Member::Unnamed(_) => false,
            },
            Expr::MethodCall(m) => self.facts.clock_fns.contains(&m.method.to_string()),
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) => {
                    let written = path_names(&p.path);
                    let resolved = self.resolve(&written).join("::");
                    resolved == "std::time::Instant::now"
                        || resolved == "std::time::SystemTime::now"
                        || written
                            .last()
                            .is_some_and(|f| self.facts.clock_fns.contains(f))
                }
                _ => false,
            },
            Expr::Path(p) => {
                let written = path_names(&p.path);
                if let [name] = written.as_slice() {
                    if let Some(clock) = self.local(name) {
                        return clock;
                    }
                }
                let resolved = self.resolve(&written).join("::");
                resolved == "std::time::UNIX_EPOCH"
                    || resolved == "std::time::SystemTime::UNIX_EPOCH"
            }
            _ => false,
        }
    }

    fn local(&self, name: &str) -> Option<bool> {
        self.locals.iter().rev().find_map(|l| l.get(name).copied())
    }

    fn bind(&mut self, pat: &syn::Pat, clock: bool) {
        match pat {
            syn::Pat::Ident(i) => {
                if let Some(scope) = self.locals.last_mut() {
                    scope.insert(i.ident.to_string(), clock);
                }
            }
            syn::Pat::Type(t) => {
                let clock = is_clock_type(self.index, &self.module, &t.ty);
                self.bind(&t.pat, clock);
            }
            syn::Pat::Reference(r) => self.bind(&r.pat, clock),
            _ => {}
        }
    }

    /// Runs `f` with `name` pushed on the item path.
    fn in_item(&mut self, name: String, f: impl FnOnce(&mut Self)) {
        self.item.push(name);
        f(self);
        self.item.pop();
    }

    fn in_fn(&mut self, sig: &syn::Signature, f: impl FnOnce(&mut Self)) {
        self.in_item(sig.ident.to_string(), |s| {
            s.locals.push(BTreeMap::new());
            // `now: Instant` is a clock value.
            for arg in &sig.inputs {
                if let syn::FnArg::Typed(t) = arg {
                    let clock = is_clock_type(s.index, &s.module, &t.ty);
                    s.bind(&t.pat, clock);
                }
            }
            f(s);
            s.locals.pop();
        });
    }

    /// Macro arguments are tokens to syn: parse them as expressions or
    /// statements when they are, else look for paths among the tokens.
    fn check_macro_tokens(&mut self, tokens: &TokenStream) {
        let exprs =
            Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated.parse2(tokens.clone());
        if let Ok(exprs) = exprs {
            for e in &exprs {
                self.visit_expr(e);
            }
            return;
        }
        if let Ok(stmts) = syn::Block::parse_within.parse2(tokens.clone()) {
            self.locals.push(BTreeMap::new());
            for s in &stmts {
                self.visit_stmt(s);
            }
            self.locals.pop();
            return;
        }
        if let Ok(file) = syn::parse2::<syn::File>(tokens.clone()) {
            for item in &file.items {
                self.visit_item(item);
            }
            return;
        }
        self.scan_tokens(tokens.clone());
    }

    /// Finds `a::b::c` sequences and `.method(` calls in raw tokens
    /// (`macro_rules!` bodies and other unparsable macro input).
    fn scan_tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => {
                    self.scan_tokens(g.stream());
                    i += 1;
                }
                TokenTree::Ident(first) => {
                    let mut written = vec![first.to_string()];
                    let after_dot = i > 0 && is_punct(&trees[i - 1], '.');
                    let mut j = i + 1;
                    while is_joint_colon(&trees, j)
                        && matches!(trees.get(j + 2), Some(TokenTree::Ident(_)))
                    {
                        written.push(trees[j + 2].to_string());
                        j += 3;
                    }
                    if after_dot && written.len() == 1 {
                        self.check_method_name(first.span(), &written[0]);
                    } else if written.len() > 1 {
                        let args = vec![None; written.len()];
                        self.check_path(first.span(), &written, &args);
                    }
                    i = j;
                }
                _ => i += 1,
            }
        }
    }

    fn check_method_name(&mut self, span: Span, name: &str) {
        if let Some((m, kind)) = rules::METHODS.iter().find(|(m, _)| *m == name) {
            self.report(span, m, *kind, format!("method `.{m}()`"));
        }
    }
}

impl<'ast> Visit<'ast> for Scanner<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test_code(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        // `mod x;` files are checked on their own.
        if let Some((_, items)) = &m.content {
            let name = m.ident.to_string();
            self.module.push(name.clone());
            let blocks = std::mem::take(&mut self.blocks);
            self.in_item(name, |s| {
                for item in items {
                    s.visit_item(item);
                }
            });
            self.blocks = blocks;
            self.module.pop();
        }
    }

    fn visit_item_use(&mut self, _: &'ast syn::ItemUse) {
        // Importing a name is not using it; uses are checked where they are.
    }

    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.in_fn(&f.sig, |s| syn::visit::visit_item_fn(s, f));
    }

    fn visit_impl_item(&mut self, i: &'ast syn::ImplItem) {
        let attrs = match i {
            syn::ImplItem::Const(c) => &c.attrs,
            syn::ImplItem::Fn(f) => &f.attrs,
            syn::ImplItem::Type(t) => &t.attrs,
            syn::ImplItem::Macro(m) => &m.attrs,
            _ => return syn::visit::visit_impl_item(self, i),
        };
        if !is_test_code(attrs) {
            syn::visit::visit_impl_item(self, i);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.in_fn(&f.sig, |s| syn::visit::visit_impl_item_fn(s, f));
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if !is_test_code(&f.attrs) {
            self.in_fn(&f.sig, |s| syn::visit::visit_trait_item_fn(s, f));
        }
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let name = match &*i.self_ty {
            syn::Type::Path(p) => p
                .path
                .segments
                .last()
                .map_or_else(|| "impl".into(), |s| s.ident.to_string()),
            _ => "impl".into(),
        };
        let self_ty = match &*i.self_ty {
            syn::Type::Path(p) if p.qself.is_none() => Some(path_names(&p.path)),
            _ => None,
        };
        self.self_ty.push(self_ty);
        self.in_item(name, |s| syn::visit::visit_item_impl(s, i));
        self.self_ty.pop();
    }

    fn visit_item_struct(&mut self, i: &'ast syn::ItemStruct) {
        self.in_item(i.ident.to_string(), |s| syn::visit::visit_item_struct(s, i));
    }

    fn visit_item_enum(&mut self, i: &'ast syn::ItemEnum) {
        self.in_item(i.ident.to_string(), |s| syn::visit::visit_item_enum(s, i));
    }

    fn visit_item_const(&mut self, i: &'ast syn::ItemConst) {
        self.in_item(i.ident.to_string(), |s| syn::visit::visit_item_const(s, i));
    }

    fn visit_item_static(&mut self, i: &'ast syn::ItemStatic) {
        self.in_item(i.ident.to_string(), |s| syn::visit::visit_item_static(s, i));
    }

    fn visit_item_type(&mut self, i: &'ast syn::ItemType) {
        self.in_item(i.ident.to_string(), |s| syn::visit::visit_item_type(s, i));
    }

    fn visit_item_trait(&mut self, i: &'ast syn::ItemTrait) {
        self.in_item(i.ident.to_string(), |s| syn::visit::visit_item_trait(s, i));
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        let items = b.stmts.iter().filter_map(|s| match s {
            syn::Stmt::Item(i) => Some(i),
            _ => None,
        });
        self.blocks.push(Scope::of_items(items));
        self.locals.push(BTreeMap::new());
        syn::visit::visit_block(self, b);
        self.locals.pop();
        self.blocks.pop();
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        syn::visit::visit_local(self, l);
        let clock = l
            .init
            .as_ref()
            .is_some_and(|init| self.is_clock_expr(&init.expr));
        self.bind(&l.pat, clock);
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        self.locals.push(BTreeMap::new());
        for p in &c.inputs {
            self.bind(p, false);
        }
        syn::visit::visit_expr_closure(self, c);
        self.locals.pop();
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let written = path_names(p);
        let mut args: Vec<Option<usize>> =
            p.segments.iter().map(|s| type_args(&s.arguments)).collect();
        if p.leading_colon.is_some() {
            args.insert(0, None);
        }
        if let [single] = written.as_slice() {
            // A local variable is not a path to anything.
            if self.local(single).is_some() {
                syn::visit::visit_path(self, p);
                return;
            }
        }
        let span = p
            .segments
            .first()
            .map_or_else(Span::call_site, |s| s.ident.span());
        self.check_path(span, &written, &args);
        syn::visit::visit_path(self, p);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let name = m.method.to_string();
        self.check_method_name(m.method.span(), &name);
        if name == "elapsed" && m.args.is_empty() {
            if self.is_clock_expr(&m.receiver) {
                self.report(
                    m.method.span(),
                    "std::time::Instant::elapsed",
                    Kind::Clock,
                    "`.elapsed()` on a clock value".into(),
                );
            } else if !self.facts.defines_elapsed {
                self.report(
                    m.method.span(),
                    "std::time::Instant::elapsed",
                    Kind::Clock,
                    "`.elapsed()` (by name: this crate and its workspace dependencies \
                     define no `elapsed`, so the receiver is taken for a clock)"
                        .into(),
                );
            }
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let name = m.path.segments.last().map(|s| s.ident.to_string());
        if let Some(name) = name
            .clone()
            .filter(|n| rules::CONSOLE_MACROS.contains(&n.as_str()))
        {
            let span = m
                .path
                .segments
                .last()
                .map_or_else(Span::call_site, |s| s.ident.span());
            self.report(span, &format!("{name}!"), Kind::File, format!("`{name}!`"));
        }
        if name
            .as_deref()
            .is_some_and(|n| n == "env" || n == "option_env")
        {
            return; // compile-time
        }
        let written = path_names(&m.path);
        if written.len() > 1 {
            let args = vec![None; written.len()];
            self.check_path(m.path.segments[0].ident.span(), &written, &args);
        }
        self.check_macro_tokens(&m.tokens);
    }
}

/// The identifiers of a path, with `::` first for a leading `::`.
fn path_names(p: &syn::Path) -> Vec<String> {
    let mut names: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
    if p.leading_colon.is_some() {
        names.insert(0, "::".into());
    }
    names
}

/// Number of type arguments written on a segment (`None` without `<…>`).
fn type_args(args: &syn::PathArguments) -> Option<usize> {
    match args {
        syn::PathArguments::AngleBracketed(a) => Some(
            a.args
                .iter()
                .filter(|g| matches!(g, syn::GenericArgument::Type(_)))
                .count(),
        ),
        _ => None,
    }
}

fn describe(written: &[String], resolved: &[String]) -> String {
    let (w, r) = (written.join("::"), resolved.join("::"));
    if w == r {
        format!("`{r}`")
    } else {
        format!("`{w}` (that is `{r}`)")
    }
}

fn is_punct(t: &TokenTree, c: char) -> bool {
    matches!(t, TokenTree::Punct(p) if p.as_char() == c)
}

/// Whether `trees[j..]` starts with `::`.
fn is_joint_colon(trees: &[TokenTree], j: usize) -> bool {
    matches!(trees.get(j), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
        && trees.get(j + 1).is_some_and(|t| is_punct(t, ':'))
}

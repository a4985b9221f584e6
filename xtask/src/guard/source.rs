//! A crate's source files as the compiler sees them: the module tree from
//! `src/lib.rs` (and `src/main.rs`, `src/bin/*`), following `mod x;` and
//! `#[path]`, with each file's module path and whether it is test code
//! (declared under `#[cfg(test)]`, at any depth). Files under `src/` that no
//! root reaches are scanned too, as non-test code of a module named after
//! their path. `build.rs` is not scanned: it runs on the build host.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::scope::{CrateIndex, Scope};

/// One parsed source file.
pub struct SourceFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its module path from the crate root.
    pub module: Vec<String>,
    /// Whether only tests compile it.
    pub test: bool,
    /// Its syntax tree.
    pub ast: syn::File,
}

/// One crate root (library, binary, or a file no root reaches) with its
/// files and its module scopes.
pub struct CrateTree {
    /// The files of this root.
    pub files: Vec<SourceFile>,
    /// Scopes of every module of this root.
    pub index: CrateIndex,
}

/// Every crate root under `src` (library first).
pub fn load(src: &Path) -> Result<Vec<CrateTree>, String> {
    let mut roots = vec![src.join("lib.rs"), src.join("main.rs")];
    if let Ok(entries) = fs::read_dir(src.join("bin")) {
        let mut bins: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        bins.sort();
        for bin in bins {
            if bin.is_dir() {
                roots.push(bin.join("main.rs"));
            } else {
                roots.push(bin);
            }
        }
    }
    let mut trees = Vec::new();
    let mut reached = BTreeSet::new();
    for root in roots.into_iter().filter(|r| r.is_file()) {
        let mut tree = CrateTree {
            files: Vec::new(),
            index: CrateIndex::default(),
        };
        let dir = root.parent().unwrap_or(src).to_path_buf();
        walk_file(&root, Vec::new(), false, &dir, &mut tree)?;
        reached.extend(tree.files.iter().map(|f| f.path.clone()));
        trees.push(tree);
    }
    let mut all = Vec::new();
    collect_rs_files(src, &mut all)?;
    all.sort();
    for orphan in all.into_iter().filter(|f| !reached.contains(f)) {
        let module = module_from_path(src, &orphan);
        let mut tree = CrateTree {
            files: Vec::new(),
            index: CrateIndex::default(),
        };
        let dir = child_dir(&orphan);
        walk_file(&orphan, module, false, &dir, &mut tree)?;
        trees.push(tree);
    }
    Ok(trees)
}

/// Parses `path` as the module `module` and walks the modules it declares.
fn walk_file(
    path: &Path,
    module: Vec<String>,
    test: bool,
    dir: &Path,
    tree: &mut CrateTree,
) -> Result<(), String> {
    if tree.files.iter().any(|f| f.path == path) {
        return Ok(());
    }
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let ast = syn::parse_file(&text).map_err(|e| {
        let at = e.span().start();
        format!("{}:{}: cannot parse: {e}", path.display(), at.line)
    })?;
    let file_dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    walk_items(&ast.items, &module, test, dir, &file_dir, tree)?;
    tree.files.push(SourceFile {
        path: path.to_path_buf(),
        module,
        test,
        ast,
    });
    Ok(())
}

/// Records the scope of the module `module` made of `items` and walks the
/// modules declared among them. `dir` is where `mod x;` files are looked
/// up; `path_dir` is what a `#[path]` is relative to.
fn walk_items(
    items: &[syn::Item],
    module: &[String],
    test: bool,
    dir: &Path,
    path_dir: &Path,
    tree: &mut CrateTree,
) -> Result<(), String> {
    tree.index
        .modules
        .entry(module.to_vec())
        .or_insert_with(|| Scope::of_items(items));
    for item in items {
        let syn::Item::Mod(m) = item else { continue };
        let name = m.ident.to_string();
        let child_test = test || is_test_code(&m.attrs);
        let mut child = module.to_vec();
        child.push(name.clone());
        let path_attr = path_attribute(&m.attrs);
        match &m.content {
            Some((_, inner)) => {
                let inner_dir = dir.join(path_attr.as_deref().unwrap_or(&name));
                walk_items(inner, &child, child_test, &inner_dir, &inner_dir, tree)?;
            }
            None => {
                let file = match &path_attr {
                    Some(p) => path_dir.join(p),
                    None if dir.join(format!("{name}.rs")).is_file() => {
                        dir.join(format!("{name}.rs"))
                    }
                    None => dir.join(&name).join("mod.rs"),
                };
                if !file.is_file() {
                    continue; // the compiler would say so
                }
                let file_dir = if path_attr.is_some() {
                    file.parent().unwrap_or(Path::new("")).to_path_buf()
                } else {
                    child_dir(&file)
                };
                walk_file(&file, child, child_test, &file_dir, tree)?;
            }
        }
    }
    Ok(())
}

/// The folder in which `mod name;` inside `file` is looked up.
fn child_dir(file: &Path) -> PathBuf {
    let parent = file.parent().unwrap_or(Path::new("")).to_path_buf();
    match file.file_stem().and_then(|s| s.to_str()) {
        Some("lib" | "main" | "mod") | None => parent,
        Some(stem) => parent.join(stem),
    }
}

/// `a/b.rs` or `a/b/mod.rs` under `src` → `["a", "b"]`.
fn module_from_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file).with_extension("");
    rel.components()
        .filter_map(|c| c.as_os_str().to_str().map(str::to_string))
        .filter(|c| !matches!(c.as_str(), "mod" | "lib" | "main"))
        .collect()
}

fn collect_rs_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect_rs_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// Whether these attributes make an item test-only: `#[test]`,
/// `#[bench]`, `#[cfg(test)]` or `#[cfg(all(test, …))]`. (`cfg(any(test,
/// x))` is not: with `x` on, the item is ordinary code.)
pub fn is_test_code(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        if a.path().is_ident("test") || a.path().is_ident("bench") {
            return true;
        }
        if !a.path().is_ident("cfg") {
            return false;
        }
        let Ok(meta) = a.parse_args::<syn::Meta>() else {
            return false;
        };
        cfg_requires_test(&meta)
    })
}

fn cfg_requires_test(meta: &syn::Meta) -> bool {
    match meta {
        syn::Meta::Path(p) => p.is_ident("test"),
        syn::Meta::List(list) if list.path.is_ident("all") => list
            .parse_args_with(
                syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|args| args.iter().any(cfg_requires_test)),
        _ => false,
    }
}

/// The attributes of any item.
pub fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item;
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

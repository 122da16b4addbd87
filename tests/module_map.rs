//! The module map of src/lib.rs holds: every `crate::` path in the crate's
//! sources points to a module the importing layer may use. A path that
//! points up the map (the pure core importing a browser layer, `transport`
//! importing `auth`, ...) fails this test with the file and the path.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

use std::fs;
use std::path::{Path, PathBuf};

/// Each layer's top-level modules, from the bottom of the map up; a module
/// may import its own layer and every layer below it.
const LAYERS: &[&[&str]] = &[
    &["error_code", "events", "percent", "size_classes", "text"],
    &["protocol"],
    &["rest"],
    &["inbox", "sharing"],
    &["conversation"],
    &["transport"],
    &["auth"],
    &["api"],
];

/// The layer of top-level module `module` (0 is the bottom).
fn layer(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|layer| layer.contains(&module))
        .unwrap_or_else(|| panic!("module `{module}` is in no layer of the map"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`src/rest/jwt.rs` → `rest`).
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (name != "lib").then(|| name.to_owned())
}

/// The code of `text` without comments, and without the test modules
/// (`#[cfg(test)]` onwards, as every file here keeps its tests last): tests
/// may reach anything.
fn shipped_code(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") || trimmed.starts_with("#[cfg(all(test") {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        out.push_str(line.split(" //").next().unwrap_or(""));
        out.push('\n');
    }
    out
}

/// Every `crate::name` in `code`, as the top-level module it names.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.push(name);
        }
        rest = after;
    }
    found
}

#[test]
fn no_module_imports_against_the_map() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let Some(module) = top_module(&src, file) else {
            continue;
        };
        let own = layer(&module);
        let code = shipped_code(&fs::read_to_string(file).unwrap());
        for target in crate_paths(&code) {
            if target != module && layer(&target) > own {
                violations.push(format!(
                    "{}: `{module}` imports `crate::{target}`, a layer above it",
                    file.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_map_knows_every_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(name) = line.trim().strip_prefix("pub mod ") {
            layer(name.trim_end_matches(';'));
        }
    }
}

#[test]
fn a_path_up_the_map_is_caught() {
    let code = shipped_code("use crate::transport::clock;\n// crate::api in a comment\n");
    assert_eq!(crate_paths(&code), vec!["transport"]);
    assert!(layer("transport") > layer("protocol"));
}

//! Links the system libsrtp2 (Debian `libsrtp2-dev`), found with pkg-config
//! when it is there, else by name.
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let libs = Command::new("pkg-config")
        .args(["--libs", "libsrtp2"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    match libs {
        Some(flags) => {
            for flag in flags.split_whitespace() {
                if let Some(dir) = flag.strip_prefix("-L") {
                    println!("cargo:rustc-link-search=native={dir}");
                } else if let Some(lib) = flag.strip_prefix("-l") {
                    println!("cargo:rustc-link-lib={lib}");
                }
            }
        }
        None => println!("cargo:rustc-link-lib=srtp2"),
    }
}

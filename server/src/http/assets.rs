//! The app's own static files (`/pkg`: wasm, JavaScript, CSS). They are served before the
//! session middleware (no database work, no cookies) and pre-compressed once at the best
//! settings, so a phone downloads the smallest bundle and the server never compresses it again.
//! Their address names their contents (`/pkg/<hash>/`), so a browser keeps them for a year
//! without asking again, and a new build is a new address.
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use std::io::Write;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The bundle's files, as read by the browser: the content hash of the script, the wasm and the
/// stylesheet, each of which a build rewrites.
const BUNDLE: [&str; 3] = ["caremarket.js", "caremarket.wasm", "caremarket.css"];

/// Where pages load the bundle from: `pkg/<hash of its files>`, or plain `pkg` when there is no
/// bundle to hash (the API tests run without one).
pub fn pkg_dir(site_root: &str) -> String {
    use blake2::Digest;
    let mut hasher = blake2::Blake2s256::new();
    for name in BUNDLE {
        match std::fs::read(Path::new(site_root).join("pkg").join(name)) {
            Ok(contents) => hasher.update(contents),
            Err(_) => return "pkg".into(),
        }
    }
    let hash: String = hasher.finalize().iter().take(8).map(|byte| format!("{byte:02x}")).collect();
    format!("pkg/{hash}")
}

/// Serves `<site_root>/pkg` at `/<pkg_dir>` (see [`pkg_dir`]), choosing a `.br` or `.gz` copy
/// when the browser takes one.
pub fn router<S: Clone + Send + Sync + 'static>(site_root: &str, pkg_dir: &str) -> Router<S> {
    let files = ServeDir::new(Path::new(site_root).join("pkg")).precompressed_br().precompressed_gzip();
    // A hashed address never changes what it holds; a plain one does, so browsers check back.
    let caching = if pkg_dir == "pkg" { "no-cache" } else { "public, max-age=31536000, immutable" };
    let cache = SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static(caching));
    Router::new().nest_service(&format!("/{pkg_dir}"), files).layer(cache).layer(axum::middleware::from_fn(only_plausible_names))
}

/// Our bundle's files have short plain names: anything else is not found, rather than asked
/// of the file system (a name too long for it was a server error).
async fn only_plausible_names(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let path = request.uri().path();
    if path.len() > 200 || !path.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b)) {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}

/// Deletes compressed copies older than their bundle file (a new build), so none is served
/// while `precompress` makes fresh ones. Quick: run it before serving.
pub fn remove_stale_copies(site_root: &str) -> std::io::Result<()> {
    for path in bundle_files(site_root)? {
        for extension in COPIES {
            let copy = with_extra_extension(&path, extension);
            if copy.exists() && !is_up_to_date(&copy, &path) {
                std::fs::remove_file(copy)?;
            }
        }
    }
    Ok(())
}

/// Writes a brotli and a gzip copy beside each bundle file that lacks an up-to-date one.
/// Slow (seconds): run it off the async threads.
pub fn precompress(site_root: &str) -> std::io::Result<usize> {
    let mut written = 0;
    for path in bundle_files(site_root)? {
        let contents = std::fs::read(&path)?;
        for extension in COPIES {
            let copy = with_extra_extension(&path, extension);
            if is_up_to_date(&copy, &path) {
                continue;
            }
            let compressed = if extension == "br" { brotli(&contents)? } else { gzip(&contents)? };
            // Write then rename, so a request never sees half a file.
            let partial = with_extra_extension(&copy, "partial");
            std::fs::write(&partial, compressed)?;
            std::fs::rename(&partial, &copy)?;
            written += 1;
        }
    }
    Ok(written)
}

const COPIES: [&str; 2] = ["br", "gz"];

fn bundle_files(site_root: &str) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(Path::new(site_root).join("pkg"))? {
        let path = entry?.path();
        if matches!(path.extension().and_then(|e| e.to_str()), Some("wasm" | "js" | "css")) {
            files.push(path);
        }
    }
    Ok(files)
}

fn brotli(contents: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut output = Vec::new();
    {
        let mut writer = ::brotli::CompressorWriter::new(&mut output, 64 * 1024, 11, 22);
        writer.write_all(contents)?;
    }
    Ok(output)
}

fn gzip(contents: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut writer = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    writer.write_all(contents)?;
    writer.finish()
}

fn with_extra_extension(path: &Path, extension: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    PathBuf::from(name)
}

fn is_up_to_date(copy: &Path, original: &Path) -> bool {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    matches!((modified(copy), modified(original)), (Some(copy), Some(original)) if copy >= original)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_address_changes_with_its_contents_and_is_plain_without_one() {
        let site = std::env::temp_dir().join(format!("caremarket-pkg-dir-{}", std::process::id()));
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        let root = site.to_str().unwrap();
        assert_eq!(pkg_dir(root), "pkg", "no bundle built");
        for name in BUNDLE {
            std::fs::write(site.join("pkg").join(name), name).unwrap();
        }
        let first = pkg_dir(root);
        assert!(first.starts_with("pkg/") && first.len() == "pkg/".len() + 16, "{first}");
        assert_eq!(pkg_dir(root), first, "the same files, the same address");
        std::fs::write(site.join("pkg/caremarket.css"), "body { color: black }").unwrap();
        assert_ne!(pkg_dir(root), first, "a new stylesheet, a new address");
        std::fs::remove_dir_all(site).unwrap();
    }

    #[test]
    fn bundles_get_smaller_copies_that_decompress_to_the_original() {
        let site = std::env::temp_dir().join(format!("caremarket-assets-{}", std::process::id()));
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        let wasm = b"(module) ".repeat(10_000);
        std::fs::write(site.join("pkg/app.wasm"), &wasm).unwrap();
        std::fs::write(site.join("pkg/notes.txt"), b"not a bundle").unwrap();
        let root = site.to_str().unwrap();

        assert_eq!(precompress(root).unwrap(), 2);
        let gz = std::fs::read(site.join("pkg/app.wasm.gz")).unwrap();
        let br = std::fs::read(site.join("pkg/app.wasm.br")).unwrap();
        assert!(gz.len() < wasm.len() / 10 && br.len() < wasm.len() / 10);
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut unzipped).unwrap();
        assert_eq!(unzipped, wasm);
        assert!(!site.join("pkg/notes.txt.gz").exists());
        assert_eq!(precompress(root).unwrap(), 0, "up-to-date copies are left alone");

        // A new build replaces the bundle: its old copies must not be served.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(site.join("pkg/app.wasm"), b"(module $new)").unwrap();
        remove_stale_copies(root).unwrap();
        assert!(!site.join("pkg/app.wasm.br").exists() && !site.join("pkg/app.wasm.gz").exists());
        std::fs::remove_dir_all(site).unwrap();
    }
}

#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    orgpanel::startup::main().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser side is a library (see `hydrate` in lib.rs); the binary is the server.
}

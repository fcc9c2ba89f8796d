//! The baseline of `scripts/bench`: a plain axum hello-world on the same
//! runtime, so that the log-in page's figures read as a ratio.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3201".into());
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, world!" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}

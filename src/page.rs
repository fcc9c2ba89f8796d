//! Page plumbing every feature uses: the organization in the URL, query
//! flags, loading a page's data with its error page, and "Page not found".

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The `{org}` of the current URL.
pub fn org_param() -> String {
    use_params_map().with_untracked(|params| params.get("org").unwrap_or_default())
}

pub fn query_flag(name: &str) -> bool {
    use_query_map().with_untracked(|query| query.get(name).is_some())
}

/// The page for an error, with its HTTP status.
pub fn error_page(error: AppError) -> AnyView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(error.status());
    }
    match error {
        AppError::NotFound => view! { <NotFound /> }.into_any(),
        AppError::Forbidden(message) => view! {
            <Title text="Not allowed" />
            <main>
                <h1>"Not allowed"</h1>
                <p role="alert" class="alert">{message}</p>
            </main>
        }
        .into_any(),
        other => view! {
            <Title text="Something went wrong" />
            <main>
                <h1>"Something went wrong"</h1>
                <p role="alert" class="alert">{other.to_string()}</p>
            </main>
        }
        .into_any(),
    }
}

/// Loads `data`, then renders `page` with it, or the error's page.
pub fn load<T, F, V>(data: F, page: impl FnOnce(T) -> V + Send + 'static) -> impl IntoView
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense>
            {Suspend::new(async move {
                match data.await {
                    Ok(data) => page(data).into_any(),
                    Err(error) => error_page(error),
                }
            })}
        </Suspense>
    }
}

/// The 404 page: also what a non-member sees of an organization.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <main class="centered">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address, or it is not yours to see."</p>
            <p><a href="/">"Back to Orgpanel"</a></p>
        </main>
    }
}

//! Cost grows with what a page shows, not with a query per row or with
//! what the account has: an account in 1,000 organizations and an
//! organization with 500 collaborators see the first of each, and the rest
//! a page at a time.
//! Prints render times beside an empty database's (see README, Performance):
//! `cargo test --features ssr --test app scale -- --nocapture`

use super::common;

use common::TestApp;
use orgpanel::server::db::Dialect;
use reqwest::{Client, StatusCode};
use std::time::{Duration, Instant};

const ORGANIZATIONS: usize = 1_000;
const COLLABORATORS: usize = 500;
const SAMPLES: usize = 25;

/// The statements SQLite runs for one render of `path`. The background jobs
/// share the database, so the fewest of five renders is the page's own.
async fn statements(app: &TestApp, client: &Client, path: &str) -> u64 {
    let mut fewest = u64::MAX;
    for _ in 0..5 {
        let before = app.running.state.db.statements_run();
        let response = app.get(client, path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.text().await.unwrap();
        fewest = fewest.min(app.running.state.db.statements_run() - before);
    }
    fewest
}

async fn median_render(app: &TestApp, client: &Client, path: &str) -> (Duration, String) {
    let mut times = Vec::with_capacity(SAMPLES);
    let mut html = String::new();
    for _ in 0..SAMPLES {
        let started = Instant::now();
        let response = app.get(client, path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        html = response.text().await.unwrap();
        times.push(started.elapsed());
    }
    times.sort();
    (times[SAMPLES / 2], html)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_organizations_and_five_hundred_collaborators_are_paged_with_the_same_statements(
) {
    let app = TestApp::start().await;
    let anna = app.user("Anna", "anna@example.com").await;
    let big = app.create_org(&anna, "Big Org").await;
    let overview = format!("/organizations/{big}");
    let (empty_time, _) = median_render(&app, &anna, &overview).await;
    let empty_statements = statements(&app, &anna, &overview).await;
    // Session, organization list, permission, collaborators, checklist…: counted.
    let dialect = app.running.state.db.dialect;
    // `i` zero-padded to `width` digits between `prefix` and `suffix`, in
    // this database's SQL.
    let pad = |prefix: &str, width: usize, suffix: &str| match dialect {
        Dialect::Sqlite => format!("printf('{prefix}%0{width}d{suffix}', i)"),
        Dialect::Postgres => format!("'{prefix}' || lpad(i::text, {width}, '0') || '{suffix}'"),
    };
    // PostgreSQL's statements are not counted (`Db::statements_run`).
    let counted = dialect == Dialect::Sqlite;
    assert!(
        !counted || empty_statements >= 4,
        "{empty_statements} statements"
    );

    let account_id: i64 = sqlx::query_scalar("SELECT id FROM accounts")
        .fetch_one(app.db())
        .await
        .unwrap();
    let mut tx = app.db().begin().await.unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO organizations (public_id, name, created_by, created_at, customer_number)
         SELECT {}, {}, $2, 0, {} FROM n",
        pad("seed", 12, ""),
        pad("Organization ", 4, ""),
        pad("8", 6, "")
    ))
    .bind(i64::try_from(ORGANIZATIONS - 1).unwrap())
    .bind(account_id)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO memberships (organization_id, account_id, role, created_at, organization_name)
         SELECT id, $1, 'member', 0, name FROM organizations WHERE public_id LIKE 'seed%'",
    )
    .bind(account_id)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO accounts (name, email, email_key, password_hash, created_at)
         SELECT {}, {}, {}, 'unused', 0 FROM n",
        pad("Person ", 3, ""),
        pad("p", 3, "@example.com"),
        pad("p", 3, "@example.com")
    ))
    .bind(i64::try_from(COLLABORATORS - 1).unwrap())
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO memberships (organization_id, account_id, role, created_at, organization_name)
         SELECT o.id, a.id, 'member', 0, o.name FROM organizations o, accounts a
          WHERE o.public_id = $1 AND a.email LIKE 'p%@example.com'",
    )
    .bind(&big)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let (full_time, html) = median_render(&app, &anna, &overview).await;
    let sidebar = html
        .split(r#"<ul class="orgs">"#)
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .unwrap();
    assert_eq!(
        sidebar.matches("<li>").count(),
        15,
        "the first organizations in the sidebar"
    );
    assert!(
        html.contains(r#"</ul><p class="all-orgs"><a href="/">All organizations (1000)</a></p>"#),
        "below the list, which scrolls"
    );
    assert_eq!(
        html.matches(r#"<tr><td dir="auto" data-label="Name">"#)
            .count(),
        10,
        "the first collaborators on the overview"
    );
    assert!(html.contains(&format!(
        r#"<a href="/organizations/{big}/collaborators">All 500 collaborators</a>"#
    )));

    // The rest, a page at a time: every collaborator once, in order.
    let collaborators = format!("/organizations/{big}/collaborators");
    let mut seen = Vec::new();
    for page in 1..=10 {
        let (status, html) = app
            .page(&anna, &format!("{collaborators}?page={page}"))
            .await;
        assert_eq!(status, StatusCode::OK);
        let first = (page - 1) * 50 + 1;
        assert!(
            html.contains(&format!("{first}–{} of 500", first + 49)),
            "page {page}"
        );
        assert_eq!(html.contains(r#"rel="next""#), page < 10, "page {page}");
        assert_eq!(html.contains(r#"rel="prev""#), page > 1, "page {page}");
        seen.extend(html.split(r#"data-label="Email""#).skip(1).map(|cell| {
            let text = cell.split_once('>').unwrap().1;
            text.split('<').next().unwrap().to_owned()
        }));
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (COLLABORATORS, COLLABORATORS));
    // A page number past what fits in 64 bits is past the end too, not the first page.
    for huge in ["9223372036854775807", "99999999999999999999999"] {
        let (_, past) = app
            .page(&anna, &format!("{collaborators}?page={huge}"))
            .await;
        assert!(
            past.contains("Nothing on page 1000000000; there are 500 in all."),
            "{huge}"
        );
    }
    let (_, first) = app.page(&anna, &format!("{collaborators}?page=-3")).await;
    assert!(first.contains("1–50 of 500"));
    let (_, past) = app.page(&anna, &format!("{collaborators}?page=11")).await;
    assert!(past.contains("Nothing on page 11; there are 500 in all."));
    assert!(past.contains(&format!(r#"href="{collaborators}?page=10" rel="prev""#)));

    // Pending invitations are paged too, each pager keeping the other list's page.
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120)
         INSERT INTO invitations (organization_id, email, email_key, role, token_hash, created_at, expires_at)
         SELECT o.id, {}, {}, 'member',
                {}, 0, 4102444800 FROM n, organizations o WHERE o.public_id = $1",
        pad("i", 3, "@example.com"), pad("i", 3, "@example.com"), pad("hash", 3, "")
    ))
    .bind(&big)
    .execute(app.db())
    .await
    .unwrap();
    let (_, both) = app
        .page(&anna, &format!("{collaborators}?page=2&invitations=3"))
        .await;
    assert!(both.contains("51–100 of 500") && both.contains("101–120 of 120"));
    assert_eq!(both.matches("Resend the invitation of").count(), 20);
    assert!(both.contains(&format!(
        r#"href="{collaborators}?page=2&amp;invitations=2" rel="prev""#
    )));
    assert!(both.contains(&format!(
        r#"href="{collaborators}?invitations=3&amp;page=3" rel="next""#
    )));

    // An organization that sorts past the first fifteen is still listed, marked, when open.
    let (_, late) = app.page(&anna, "/organizations/seed000000000999").await;
    let late_sidebar = late
        .split(r#"<ul class="orgs">"#)
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .unwrap();
    assert!(
        late_sidebar.trim_start_matches("<!>").starts_with(r#"<li><a href="/organizations/seed000000000999" aria-current="page" dir="auto">Organization 0999</a>"#),
        "the open organization first in the sidebar, in view: {late_sidebar}"
    );
    // And the home page lists them all, fifty a page.
    let (_, home) = app.page(&anna, "/?page=20").await;
    assert!(home.contains("951–1000 of 1000"), "{home}");
    assert!(home.contains("Organization 0999"));

    let full_statements = statements(&app, &anna, &overview).await;
    assert_eq!(
        full_statements, empty_statements,
        "the same statements for 1 organization and 1 collaborator as for {ORGANIZATIONS} and {COLLABORATORS}: each list is one query"
    );
    println!("overview statements: {empty_statements} with an empty database, {full_statements} with {ORGANIZATIONS} organizations and {COLLABORATORS} collaborators");
    println!(
        "overview render, median of {SAMPLES}: empty {:.2} ms; {ORGANIZATIONS} organizations in the sidebar and {COLLABORATORS} collaborators {:.2} ms ({:.1}x, {} KB of HTML)",
        empty_time.as_secs_f64() * 1e3,
        full_time.as_secs_f64() * 1e3,
        full_time.as_secs_f64() / empty_time.as_secs_f64(),
        html.len() / 1024
    );
    app.stop().await;
}

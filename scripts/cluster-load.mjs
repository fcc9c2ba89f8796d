// The customers of scripts/cluster: USERS at once, each going through what
// a new customer does, again and again, through the load balancer at BASE
// for LOAD_SECONDS: sign up, create an organization, save its company
// information, then billing (every other one by invoice, the rest by card
// through the sandbox provider's page), invite a collaborator, and open the
// overview. A step that fails ends that customer's round (as a person
// would start again; the card's result page is loaded once more), and is
// recorded with when it started and ended.
// Writes a JSON summary to stdout: requests sent, failures, and the
// organizations that chose invoice or finished a card setup.
// Environment: BASE, LOAD_SECONDS, USERS, RUN (a tag that keeps emails unique).

const base = process.env.BASE;
const seconds = Number(process.env.LOAD_SECONDS ?? 60);
const users = Number(process.env.USERS ?? 8);
const run = process.env.RUN ?? String(Date.now());
const deadline = Date.now() + seconds * 1000;

const requests = [];
const outcomes = { invoice: 0, card: 0, invited: 0, rounds: 0 };

const company = {
  company_name: "Cluster AB",
  business_id: "5560360793",
  vat_number: "",
  address: "Storgatan 1",
  postal_code: "11437",
  city: "Stockholm",
  country: "SE",
  email: "billing@example.se",
  phone: "070-123 45 67",
};

/** One browser: its session cookie and its network address. */
class Customer {
  constructor(n) {
    this.cookie = "";
    // Sign-ups are limited per address: each customer comes from its own.
    this.address = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  }

  /** A request; throws (after recording it) unless it answered `expect`. */
  async request(label, method, path, form, expect) {
    const started = Date.now();
    const entry = { label, started, ended: 0, status: 0, error: "" };
    requests.push(entry);
    try {
      const response = await fetch(new URL(path, base), {
        method,
        redirect: "manual",
        headers: {
          cookie: this.cookie,
          "x-forwarded-for": this.address,
          ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
        body: form ? new URLSearchParams(form).toString() : undefined,
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      entry.status = response.status;
      for (const cookie of response.headers.getSetCookie()) {
        const pair = cookie.split(";")[0];
        if (pair.startsWith("orgpanel_session=")) this.cookie = pair;
      }
      if (response.status !== expect) {
        entry.error = `${label}: ${response.status} ${text.slice(0, 200).replace(/\s+/g, " ")}`;
      }
      entry.ended = Date.now();
      if (entry.error) throw new Error(entry.error);
      return { location: response.headers.get("location") ?? "", text };
    } catch (error) {
      entry.ended = entry.ended || Date.now();
      entry.error = entry.error || `${label}: ${error.cause?.code ?? error.message}`;
      throw error;
    }
  }
}

async function round(n) {
  const customer = new Customer(n);
  const email = `c${n}.${run}@example.com`;
  await customer.request("sign up", "POST", "/signup", { name: `Customer ${n}`, email, password: "cluster-password" }, 303);
  const created = await customer.request("new organization", "POST", "/organizations/new", { name: `Cluster ${n}` }, 303);
  const org = /\/organizations\/([a-z2-7]+)\//.exec(created.location)?.[1];
  if (!org) throw new Error(`no organization in ${created.location}`);
  const at = `/organizations/${org}`;
  await customer.request("company", "POST", `${at}/settings`, { ...company, intent: "company", version: "0" }, 303);
  if (n % 2 === 0) {
    await customer.request("invoice", "POST", `${at}/billing`, { intent: "method", method: "invoice" }, 303);
    await customer.request("delivery", "POST", `${at}/billing`, { intent: "delivery", delivery: "email", invoice_email: `invoices.${n}.${run}@example.com` }, 303);
    outcomes.invoice += 1;
  } else {
    const started = await customer.request("card: continue", "POST", `${at}/billing`, { intent: "method", method: "card" }, 303);
    const cardPage = new URL(started.location, base).pathname;
    if (!cardPage.startsWith("/sandbox-pay/setup/")) throw new Error(`card page ${started.location}`);
    const paid = await customer.request("card: pay", "POST", cardPage, { number: "4242424242424242", expiry: "12/30", cvc: "123" }, 303);
    const back = new URL(paid.location, base);
    const resultPage = () => customer.request("card: result", "GET", back.pathname + back.search, null, 200);
    // A page that did not load is loaded again, as a person would.
    const result = await resultPage().catch(resultPage);
    if (!result.text.includes("Credit card added")) throw new Error("card: the result page does not say the card was added");
    outcomes.card += 1;
  }
  await customer.request("invite", "POST", `${at}/collaborators`, { intent: "invite", email: `invitee.${n}.${run}@example.com`, role: "member" }, 303);
  outcomes.invited += 1;
  await customer.request("overview", "GET", at, null, 200);
  outcomes.rounds += 1;
}

let next = 0;
await Promise.all(
  Array.from({ length: users }, async () => {
    while (Date.now() < deadline) {
      try {
        await round(next++);
      } catch {
        // Recorded in `requests`; this customer starts a new round.
      }
    }
  }),
);

const failed = requests.filter((r) => r.error);
console.log(
  JSON.stringify({
    requests: requests.length,
    outcomes,
    failures: failed.map(({ label, started, ended, status, error }) => ({ label, started, ended, status, error })),
    first: requests[0]?.started ?? 0,
    last: Math.max(...requests.map((r) => r.ended)),
  }),
);

"use client";

// The browser's client of the Go task API (/api/v1/tasks). Every request carries
// `Authorization: Bearer <JWT>`, a JWT that Better Auth's jwt plugin signs for the signed-in
// user (authClient.token(), GET /api/auth/token). A token lives 15 minutes: it is kept until
// shortly before it expires, and a 401 fetches a fresh one once before giving up. The API is on
// another origin; it needs no cookies, only the bearer token, and allows this origin by CORS.

import { authClient } from "./auth-client";

// SignedOutError means there is no session any more: the user must sign in again.
export class SignedOutError extends Error {
  constructor() {
    super("Your session has ended. Please sign in again.");
    this.name = "SignedOutError";
  }
}

// APIError is an answer of the task API other than a success, with its detail.
export class APIError extends Error {
  constructor(status, message) {
    super(message);
    this.name = "APIError";
    this.status = status;
  }
}

const refreshMargin = 30_000; // fetch a new token this long before the old one expires

function expiry(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)).exp * 1000;
  } catch {
    return 0; // unreadable: use it once and fetch another next time
  }
}

// message turns an error body into words: {"detail": "Task not found"}, or for 422 FastAPI's
// {"detail": [{"loc": ["body", "title"], "msg": "…"}, …]}.
function message(status, body) {
  const detail = body?.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail) && detail.length > 0) {
    return detail.map((d) => (d.loc?.length ? `${d.loc[d.loc.length - 1]}: ${d.msg}` : d.msg)).join("; ");
  }
  if (status === 503) return "The task service is unavailable right now. Please try again in a moment.";
  return `The task service answered ${status}.`;
}

export function createTaskAPI(baseURL) {
  let token = "";
  let renewAt = 0;
  let pending = null; // the token request in flight, shared by concurrent callers

  function freshToken() {
    pending ??= authClient
      .token()
      .then(({ data, error }) => {
        if (error || !data?.token) {
          if (error && error.status !== 401) throw new Error(error.message || "Could not get a token.");
          token = "";
          return "";
        }
        token = data.token;
        renewAt = expiry(token) - refreshMargin;
        return token;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  }

  async function bearer(force) {
    if (!force && token && Date.now() < renewAt) return token;
    return freshToken();
  }

  async function request(method, path, body) {
    for (let attempt = 0; ; attempt++) {
      const jwt = await bearer(attempt > 0);
      if (!jwt) throw new SignedOutError();
      const headers = { Authorization: `Bearer ${jwt}` };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      let res;
      try {
        res = await fetch(baseURL + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          cache: "no-store",
        });
      } catch {
        throw new APIError(0, "The task service cannot be reached. Check your connection and try again.");
      }
      if (res.status === 401) {
        if (attempt === 0) continue; // the token may have expired or its key rotated
        throw new SignedOutError();
      }
      if (res.status === 204) return null;
      const data = await res.json().catch(() => null);
      if (!res.ok) throw new APIError(res.status, message(res.status, data));
      return data;
    }
  }

  const task = (id) => `/tasks/${encodeURIComponent(id)}`;
  return {
    list: (limit = 100) => request("GET", `/tasks?limit=${limit}`),
    create: (fields) => request("POST", "/tasks", fields),
    update: (id, fields) => request("PATCH", task(id), fields),
    toggle: (id) => request("POST", `${task(id)}/toggle`),
    remove: (id) => request("DELETE", task(id)),
  };
}

// Settings read on the server each time they are needed. Next.js inlines
// `process.env.NEXT_PUBLIC_…` into the bundles when it builds; looking the name up at run time
// instead lets one build run against whichever backend `next start` is given.

function runtimeEnv(name) {
  return process.env[name] || "";
}

// taskAPIURL is the base URL of the Go task API, from NEXT_PUBLIC_API_URL, handed to the
// browser as a prop. As the specification writes it the value ends in /api/v1
// (http://localhost:8000/api/v1); the bare origin of the backend (http://localhost:8000) is
// accepted too.
export function taskAPIURL() {
  const raw = runtimeEnv("NEXT_PUBLIC_API_URL") || "http://localhost:8000/api/v1";
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`NEXT_PUBLIC_API_URL is not a URL: ${JSON.stringify(raw)}`);
  }
  let path = url.pathname.replace(/\/+$/, "");
  if (!path.endsWith("/api/v1")) path += "/api/v1";
  return url.origin + path;
}

// appURL is this app's public URL for Better Auth: BETTER_AUTH_URL, or else
// NEXT_PUBLIC_APP_URL, the name the specification's front-end .env gives it. Undefined leaves
// Better Auth to work it out from each request, with a warning.
export function appURL() {
  return runtimeEnv("BETTER_AUTH_URL") || runtimeEnv("NEXT_PUBLIC_APP_URL") || undefined;
}

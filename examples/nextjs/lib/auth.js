// Better Auth owns the accounts: email and password, sessions in cookies, and the jwt plugin,
// which signs the short-lived JWTs the Go task API accepts and publishes their public keys at
// /api/auth/jwks (the Go server runs with AUTH_URL set to this app's origin to trust them).
//
// Better Auth reads BETTER_AUTH_SECRET from the environment itself; its base URL is
// BETTER_AUTH_URL (or the specification's NEXT_PUBLIC_APP_URL). The JWTs it signs carry that
// URL's origin as iss and aud, which the Go server expects to be the origin of its AUTH_URL.
// DATABASE_URL is the PostgreSQL database this app shares with the Go server; the Go server's
// migrations create exactly Better Auth's tables, so either may create the schema first.
//
// The instance is made on first use, not when the module is loaded: `next build` loads every
// route to collect its data, and there, with no secret in the environment, Better Auth would
// refuse its default secret and the build would open a pool for nothing.

import { betterAuth } from "better-auth";
import { jwt } from "better-auth/plugins/jwt";
import { Pool } from "pg";
import { appURL } from "./config";

let instance;

export function getAuth() {
  instance ??= betterAuth({
    baseURL: appURL(),
    database: new Pool({ connectionString: process.env.DATABASE_URL }),
    emailAndPassword: { enabled: true },
    plugins: [jwt()],
  });
  return instance;
}

// currentSession is the signed-in user's session for a server component, or null.
export async function currentSession(requestHeaders) {
  return getAuth().api.getSession({ headers: requestHeaders });
}

// Package interop has no code of its own: its tests run the real Better Auth 1.7.25 (the
// Node.js harness in the repository's interop/ directory) beside our server, on one SQLite or
// PostgreSQL database and one secret, and check that each accepts what the other writes:
// users, passwords, session cookies, sign-outs, JWTs and JWKS, and the schema itself.
//
// The tests run `npm ci` in interop/ when its node_modules is missing (once per test binary).
// Without Node.js or npm they skip, unless CI=true, where they fail.
package interop

// Shared by server.mjs and migrate-check.mjs: the Better Auth options the Go server is
// compatible with (see shared/better-auth/COMPAT.md): email/password on, the jwt plugin,
// delete-user on, the mails of password reset, email verification and change of email (kept
// in MAIL_FILE, see captureMail), everything else at its default.
//
// BETTER_AUTH_SECRET (or BETTER_AUTH_SECRETS) and BETTER_AUTH_URL are NOT copied into the
// options: Better Auth reads them from the environment itself, exactly as it would in an app,
// so versioned secrets and BETTER_AUTH_TRUSTED_ORIGINS work too.

import { appendFileSync } from "node:fs";
import Database from "better-sqlite3";
import pg from "pg";
import { jwt } from "better-auth/plugins";

export function fail(message) {
  process.stderr.write(`interop: ${message}\n`);
  process.exit(2);
}

// parseDatabaseURL mirrors internal/database/url.go: postgres:// and postgresql:// URLs,
// sqlite:///relative.db and sqlite:////absolute/path.db (no query options). A relative path is
// relative to the current directory of the node process.
export function parseDatabaseURL(s) {
  if (!s) fail("DATABASE_URL is not set (sqlite:////abs/path.db, sqlite:///rel.db or postgresql://...)");
  if (s.startsWith("postgres://") || s.startsWith("postgresql://")) {
    return { dialect: "postgres", dsn: s };
  }
  if (s.startsWith("sqlite://")) {
    const rest = s.slice("sqlite://".length);
    if (/[?#]/.test(rest)) fail("DATABASE_URL: a sqlite URL takes no query options");
    if (!rest.startsWith("/") || rest === "/" || rest === "/:memory:") {
      fail("DATABASE_URL must be sqlite:///relative.db or sqlite:////absolute/path.db (an in-memory database is useless here)");
    }
    return { dialect: "sqlite", path: rest.slice(1) };
  }
  fail("DATABASE_URL must start with postgresql://, postgres:// or sqlite://");
}

// openDatabase returns the object given to Better Auth as `database` and a close function.
export function openDatabase(url) {
  if (url.dialect === "sqlite") {
    const db = new Database(url.path);
    // Better Auth (through kysely) begins its SQLite transactions with a deferred BEGIN: one
    // that reads and then writes fails at once ("database is locked") when another connection
    // commits in between, as the Go server's job queue may at any moment. BEGIN IMMEDIATE takes
    // the write lock first and waits for it (better-sqlite3's 5 s busy timeout), as the Go
    // server's own transactions do.
    const prepare = db.prepare.bind(db);
    db.prepare = (sql) => prepare(sql === "begin" ? "begin immediate" : sql);
    return { database: db, close: async () => db.close() };
  }
  const pool = new pg.Pool({ connectionString: url.dsn });
  return { database: pool, close: () => pool.end() };
}

// The logger writes to stderr only, so that stdout carries nothing but what the scripts print
// on purpose (READY <port>, the migrate-check JSON line). `onLog` sees every message.
export function stderrLogger(onLog) {
  return {
    level: process.env.BETTER_AUTH_LOG_LEVEL || "warn",
    log(level, message, ...args) {
      onLog?.(level, message, args);
      const extra = args.length ? " " + args.map((a) => (a instanceof Error ? a.stack : typeof a === "string" ? a : JSON.stringify(a))).join(" ") : "";
      process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase()} [Better Auth]: ${message}${extra}\n`);
    },
  };
}

// captureMail stands for an app's mail sender: it appends each mail Better Auth asks to send
// to MAIL_FILE as one JSON line, {"kind","to","url","token"}, for the tests to follow its link.
// Without MAIL_FILE the mails go nowhere.
function captureMail(kind) {
  return async ({ user, url, token }) => {
    if (process.env.MAIL_FILE) {
      appendFileSync(process.env.MAIL_FILE, JSON.stringify({ kind, to: user.email, url, token }) + "\n");
    }
  };
}

export function authOptions(database, logger) {
  return {
    database,
    emailAndPassword: { enabled: true, sendResetPassword: captureMail("reset-password") },
    emailVerification: { sendVerificationEmail: captureMail("verify-email") },
    user: { deleteUser: { enabled: true }, changeEmail: { enabled: true } },
    plugins: [jwt()],
    logger,
  };
}

// checkEnvironment refuses settings under which Better Auth would not behave as the Go server
// expects from it in interop tests.
export function checkEnvironment({ needURL }) {
  if (process.env.NODE_ENV === "test") {
    fail("NODE_ENV=test makes Better Auth skip its origin check; leave NODE_ENV unset or use development");
  }
  if (process.env.TEST !== undefined) {
    // Better Auth's isTest() is NODE_ENV === "test" || TEST is truthy; either skips the origin check.
    fail("TEST is set in the environment; Better Auth treats that as a test run and skips its origin check. Unset it");
  }
  if (!process.env.BETTER_AUTH_SECRET && !process.env.BETTER_AUTH_SECRETS) {
    fail("BETTER_AUTH_SECRET is not set");
  }
  if (needURL && !process.env.BETTER_AUTH_URL) {
    fail("BETTER_AUTH_URL is not set (e.g. http://127.0.0.1:PORT)");
  }
}

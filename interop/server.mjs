// A real Better Auth 1.7.25 server for the Go interop tests.
//
// Env: DATABASE_URL, BETTER_AUTH_SECRET, BETTER_AUTH_URL, PORT (defaults to BETTER_AUTH_URL's
// port), MIGRATE=1 to run Better Auth's own migrations first, NODE_ENV passed through.
// Listens on 127.0.0.1:PORT and then prints exactly one line to stdout: READY <port>.
// Everything else (Better Auth's logs, errors) goes to stderr.

import http from "node:http";
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import { getMigrations } from "better-auth/db/migration";
import { authOptions, checkEnvironment, fail, openDatabase, parseDatabaseURL, stderrLogger } from "./config.mjs";

// Keep stdout for the READY line alone, whatever a library prints.
console.log = console.error;
console.info = console.error;

checkEnvironment({ needURL: true });

const baseURL = new URL(process.env.BETTER_AUTH_URL);
const portText = process.env.PORT || baseURL.port;
const port = Number(portText);
if (!portText || !Number.isInteger(port) || port <= 0 || port > 65535) {
  fail(`PORT must be a port number 1-65535 (got ${JSON.stringify(process.env.PORT)})`);
}
if (baseURL.port && Number(baseURL.port) !== port) {
  process.stderr.write(`interop: warning: PORT ${port} differs from the port of BETTER_AUTH_URL ${baseURL.href}\n`);
}

const db = openDatabase(parseDatabaseURL(process.env.DATABASE_URL));
const options = authOptions(db.database, stderrLogger());

if (process.env.MIGRATE === "1") {
  const { toBeCreated, toBeAdded, toBeAddedIndexes, runMigrations } = await getMigrations(options);
  process.stderr.write(
    `interop: migrating: create [${toBeCreated.map((t) => t.table).join(", ")}], ` +
      `add columns to [${toBeAdded.map((t) => t.table).join(", ")}], ` +
      `add indexes [${toBeAddedIndexes.map((i) => i.name).join(", ")}]\n`,
  );
  await runMigrations();
}

const auth = betterAuth(options);
const ctx = await auth.$context;
if (ctx.skipOriginCheck !== false) {
  fail(`Better Auth's origin check is not active (skipOriginCheck=${JSON.stringify(ctx.skipOriginCheck)})`);
}

const server = http.createServer(toNodeHandler(auth));
server.on("error", (err) => fail(`listen on 127.0.0.1:${port}: ${err.message}`));
server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`READY ${server.address().port}\n`);
});

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`interop: ${signal}, shutting down\n`);
  server.closeAllConnections?.();
  server.close();
  try {
    await db.close();
  } catch (err) {
    process.stderr.write(`interop: closing the database: ${err.message}\n`);
  }
  process.exit(0);
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));

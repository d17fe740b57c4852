// Asks Better Auth 1.7.25's own migrator what it would change in a database.
//
// Env: DATABASE_URL, BETTER_AUTH_SECRET (same config as server.mjs).
//   node migrate-check.mjs           prints the plan as one JSON line, exits 0
//   node migrate-check.mjs --apply   prints the plan, then runs the migrations, exits 0
// Output (one line on stdout):
//   {"toBeCreated":["user",...],"toBeAdded":[{"table":"user","fields":["x"]}],
//    "toBeAddedIndexes":[{"table":"session","name":"session_userId_idx"}],
//    "unsafeChanges":[],"schemaProblems":[],"warnings":["..."],"applied":false}
// An empty toBeCreated/toBeAdded/toBeAddedIndexes means the schema is what Better Auth expects.
// "warnings" are the migrator's warnings (a column of another type, a required column that is
// nullable, ...), which do not show in the plan itself. Any failure: message on stderr, exit 1.

import { getMigrations } from "better-auth/db/migration";
import { authOptions, checkEnvironment, openDatabase, parseDatabaseURL, stderrLogger } from "./config.mjs";

console.log = console.error;
console.info = console.error;

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--apply");
if (unknown.length) {
  process.stderr.write(`usage: node migrate-check.mjs [--apply]\n`);
  process.exit(2);
}
const apply = args.includes("--apply");

checkEnvironment({ needURL: false });
const db = openDatabase(parseDatabaseURL(process.env.DATABASE_URL));
const warnings = [];
const logger = stderrLogger((level, message) => {
  if (level === "warn" || level === "error") warnings.push(message);
});

let code = 0;
try {
  // throwOnUnsafe: false reports unsafe changes in the plan instead of throwing.
  const plan = await getMigrations(authOptions(db.database, logger), { throwOnUnsafe: apply });
  const out = {
    toBeCreated: plan.toBeCreated.map((t) => t.table),
    toBeAdded: plan.toBeAdded.map((t) => ({ table: t.table, fields: Object.keys(t.fields) })),
    toBeAddedIndexes: plan.toBeAddedIndexes.map((i) => ({ table: i.table, name: i.name })),
    unsafeChanges: plan.unsafeChanges,
    schemaProblems: plan.schemaProblems,
    warnings,
    applied: false,
  };
  if (apply) {
    await plan.runMigrations();
    out.applied = true;
  }
  process.stdout.write(JSON.stringify(out) + "\n");
} catch (err) {
  process.stderr.write(`migrate-check: ${err?.stack || err}\n`);
  code = 1;
} finally {
  try {
    await db.close();
  } catch {}
}
process.exit(code);

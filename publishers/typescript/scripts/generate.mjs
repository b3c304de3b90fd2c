#!/usr/bin/env node
// Generates src/generated/*.ts from events/schemas/*.schema.json, so the
// package's event types cannot drift from the contract.
//
//   node scripts/generate.mjs          write src/generated/ (and drop stale files)
//   node scripts/generate.mjs --check  exit 1 if src/generated/ is out of date
//
// test/generated.test.ts imports generate() and compares in memory.
import { readdir, readFile, writeFile, mkdir, rm } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compile } from "json-schema-to-typescript";

const here = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_DIR = join(here, "..");
export const SCHEMA_DIR = join(PACKAGE_DIR, "../../events/schemas");
export const OUT_DIR = join(PACKAGE_DIR, "src/generated");

const banner = (source) => `// Generated from ${source} by \`npm run generate\`. Do not edit.\n`;

/** "ticket-purchase" -> "TicketPurchase" */
const pascal = (type) => type.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase());

/** Every `pattern` / `maxLength` of an id-like string property in a schema. */
function idRules(node, found = []) {
  if (node && typeof node === "object") {
    if (typeof node.pattern === "string") found.push(`${node.pattern} ${node.minLength}..${node.maxLength}`);
    for (const v of Object.values(node)) idRules(v, found);
  }
  return found;
}

/**
 * Paths of the id-grammar strings under `node` (`$ref`s into `$defs` followed,
 * arrays written `name[]`): `["venueId", "shows[].eventId"]`.
 */
function idPaths(schema, node, prefix = "") {
  if (node?.$ref) node = schema.$defs[node.$ref.replace("#/$defs/", "")];
  if (typeof node?.pattern === "string") return [prefix];
  if (node?.items) return idPaths(schema, node.items, `${prefix}[]`);
  return Object.entries(node?.properties ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([k, v]) => idPaths(schema, v, prefix ? `${prefix}.${k}` : k));
}

/**
 * Returns `{ "file.ts": contents }` for src/generated/, from the schemas in
 * `schemaDir`. Pure apart from reading the schemas.
 */
export async function generate(schemaDir = SCHEMA_DIR) {
  const names = (await readdir(schemaDir)).filter((f) => f.endsWith(".schema.json")).sort();
  if (names.length === 0) throw new Error(`no *.schema.json in ${schemaDir}`);
  const files = {};
  const types = [];
  let eventTypeDef;
  const rules = new Set();
  const paths = {};
  for (const name of names) {
    const schema = JSON.parse(await readFile(join(schemaDir, name), "utf8"));
    const type = schema.properties?.type?.const;
    if (typeof type !== "string") throw new Error(`${name}: properties.type.const missing`);
    types.push(type);
    // Every schema carries the same EventType enum; it must not differ.
    const def = JSON.stringify(schema.$defs?.EventType);
    if (eventTypeDef !== undefined && def !== eventTypeDef) throw new Error(`${name}: $defs.EventType differs`);
    eventTypeDef = def;
    for (const r of idRules(schema)) rules.add(r);
    paths[type] = idPaths(schema, schema.properties.data);
    // The envelope is named by its title (else by $id): "TicketPurchaseEvent",
    // not "TicketPurchaseCloudEventV1"; `data`'s type keeps its $defs name.
    const ts = await compile({ ...schema, title: `${pascal(type)}Event` }, `${pascal(type)}Event`, {
      bannerComment: `${banner(`events/schemas/${name}`)}// ${schema.title}`,
      additionalProperties: false,
      cwd: schemaDir,
      // The envelope never $refs EventType; it is generated once, below.
      unreachableDefinitions: false,
    });
    files[`${type}.ts`] = ts;
  }
  const eventType = JSON.parse(eventTypeDef ?? "null");
  if (!eventType?.enum) throw new Error("$defs.EventType missing");
  const missing = eventType.enum.filter((t) => !types.includes(t));
  if (missing.length) throw new Error(`no schema for event type(s) ${missing.join(", ")}`);
  if (rules.size !== 1) throw new Error(`the schemas disagree on the id grammar: ${[...rules].join(" | ")}`);
  const [rule] = rules;
  const [pattern, range] = rule.split(" ");
  const [minLength, maxLength] = range.split("..").map(Number);

  const eventTypeTs = await compile(eventType, "EventType", {
    bannerComment: banner("$defs.EventType of events/schemas/*.schema.json"),
  });
  const modules = eventType.enum.map((t) => `./${t}.js`);
  files["index.ts"] =
    `${banner("events/schemas/*.schema.json")}\n` +
    `${eventTypeTs.replace(/^\/\/.*\n+/, "")}\n` +
    `/** The event types, in the schemas' order; each is also its queue's name. */\n` +
    `export const EVENT_TYPES = ${JSON.stringify(eventType.enum)} as const satisfies readonly EventType[];\n\n` +
    `/** The id grammar (ECMA-262 pattern) of \`id\`, \`source\` and the ids in \`data\`. */\n` +
    `export const ID_PATTERN = ${JSON.stringify(pattern)};\n` +
    `/** Length bounds of an id, in Unicode code points. */\n` +
    `export const ID_MIN_LENGTH = ${minLength};\n` +
    `export const ID_MAX_LENGTH = ${maxLength};\n\n` +
    `/** Where \`data\` holds ids, per type (\`a[].b\`: field \`b\` of every item of array \`a\`). */\n` +
    `export const DATA_ID_PATHS = {\n` +
    eventType.enum.map((t) => `  ${JSON.stringify(t)}: ${JSON.stringify(paths[t])},\n`).join("") +
    `} as const satisfies Record<EventType, readonly string[]>;\n\n` +
    modules.map((m) => `export type * from ${JSON.stringify(m)};\n`).join("") +
    "\n" +
    eventType.enum.map((t) => `import type { ${pascal(t)}Event } from ${JSON.stringify(`./${t}.js`)};\n`).join("") +
    `\n/** Any event of the contract. */\n` +
    `export type CloudEvent = ${eventType.enum.map((t) => `${pascal(t)}Event`).join(" | ")};\n\n` +
    `/** The \`data\` payload of each event type. */\n` +
    `export interface EventDataByType {\n` +
    eventType.enum.map((t) => `  ${JSON.stringify(t)}: ${pascal(t)}Event["data"];\n`).join("") +
    `}\n`;
  return files;
}

async function main() {
  const check = process.argv.includes("--check");
  const files = await generate();
  const existing = (await readdir(OUT_DIR).catch(() => [])).filter((f) => f.endsWith(".ts"));
  const stale = existing.filter((f) => !(f in files));
  const changed = [];
  for (const [name, contents] of Object.entries(files)) {
    const current = await readFile(join(OUT_DIR, name), "utf8").catch(() => null);
    if (current !== contents) changed.push(name);
  }
  const rel = relative(process.cwd(), OUT_DIR) || ".";
  if (check) {
    if (changed.length || stale.length) {
      console.error(`${rel} is out of date (${[...changed, ...stale].join(", ")}): run npm run generate`);
      process.exit(1);
    }
    console.log(`${rel} is up to date`);
    return;
  }
  await mkdir(OUT_DIR, { recursive: true });
  for (const name of changed) await writeFile(join(OUT_DIR, name), files[name]);
  for (const name of stale) await rm(join(OUT_DIR, name));
  console.log(`${rel}: ${changed.length} written, ${stale.length} removed, ${Object.keys(files).length} total`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";

// The generator is plain JS (it must run before anything is compiled).
const generatorUrl = new URL("../../scripts/generate.mjs", import.meta.url).href;
const generatedDir = new URL("../../src/generated/", import.meta.url);

describe("generated types", () => {
  it("src/generated/ is what events/schemas/*.schema.json generate (run `npm run generate` if not)", async () => {
    const { generate } = (await import(generatorUrl)) as { generate(): Promise<Record<string, string>> };
    const fresh = await generate();
    const committed = Object.fromEntries(
      readdirSync(generatedDir)
        .filter((f) => f.endsWith(".ts"))
        .map((f) => [f, readFileSync(new URL(f, generatedDir), "utf8")]),
    );
    assert.deepEqual(Object.keys(committed).sort(), Object.keys(fresh).sort(), "same files");
    for (const [file, text] of Object.entries(fresh)) {
      assert.equal(committed[file], text, `src/generated/${file} differs from the schemas: run npm run generate`);
    }
  });
});

/**
 * The shared fixture's file protocol (test/helpers/plans.ts): one producer per file however many
 * ask at once, a producer that died is replaced, a failed production leaves no lock behind.
 * That a shared plan equals a fresh one is proven in test/stack.test.ts.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { sharedFile } from "./plans";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "shared-file-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it("produces once for concurrent readers, and they all get the text", async () => {
  const file = path.join(dir, "prod.json");
  let produced = 0;
  const produce = async () => {
    produced++;
    await new Promise((resolve) => setTimeout(resolve, 100));
    return '{"stack":"prod"}';
  };
  const texts = await Promise.all([1, 2, 3].map(() => sharedFile(file, produce)));
  expect(texts).toEqual(['{"stack":"prod"}', '{"stack":"prod"}', '{"stack":"prod"}']);
  expect(produced).toBe(1);
  expect(fs.readdirSync(dir)).toEqual(["prod.json"]);
});

it("takes over from a producer that died holding the lock", async () => {
  const file = path.join(dir, "dev.json");
  // A pid no process has (above the kernel's pid_max).
  fs.writeFileSync(`${file}.lock`, "4194305");
  await expect(sharedFile(file, () => Promise.resolve("dev"))).resolves.toBe("dev");
  expect(fs.readdirSync(dir)).toEqual(["dev.json"]);
});

it("leaves no lock and no file when production fails, so the next reader tries again", async () => {
  const file = path.join(dir, "prod.json");
  await expect(sharedFile(file, () => Promise.reject(new Error("the plan failed")))).rejects.toThrow(
    "the plan failed",
  );
  expect(fs.readdirSync(dir)).toEqual([]);
  await expect(sharedFile(file, () => Promise.resolve("prod"))).resolves.toBe("prod");
});

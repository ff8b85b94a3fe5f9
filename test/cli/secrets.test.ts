import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { runCli } from "../../cli/main";
import { ConfigError, readConfig } from "../../plugins/config";
import type { DataverseGateway } from "../../plugins/dataverse/gateway";
import { createLogger } from "../../plugins/log";
import { ModelCache } from "../../plugins/recalc/model-cache";
import { Recalculator } from "../../plugins/recalc/recalculate";
import { redact } from "../../plugins/redact";
import { readTimerConfig } from "../../plugins/rerank/timer";
import { handleWebhook } from "../../plugins/webhook/handler";
import { context, entity, ref } from "../plugins/payloads";
import { memoryIo } from "../sample/sample-fixture";
import { tempDir } from "./run-cli";

/**
 * Issue 17, secrets at the edges: tokens checked at start-up, redacted in every message; plain http only to
 * loopback; no key echoed from a wrong argument or an --endpoint-url carrying ?code=; a model file that fails to
 * parse is never printed.
 */
const KEY = "wrong-place-webhook-key-7f3a9c21b4";
const TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-part";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(tempDir("secrets-"));
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe("CLI: nothing secret is echoed", () => {
  const saved = process.env.DATAVERSE_TOKEN;
  beforeEach(() => delete process.env.DATAVERSE_TOKEN);
  afterAll(() => {
    if (saved !== undefined) process.env.DATAVERSE_TOKEN = saved;
  });

  it("configure: a key passed as --url is not echoed", async () => {
    const r = await cli(["configure", "--url", KEY, "--endpoint-url", "https://x.example/api/webhook", "--key", "k"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--url is not an absolute URL/);
    expect(r.out + r.err).not.toContain(KEY);
  });

  it("configure: an --endpoint-url carrying ?code= is refused without echoing it", async () => {
    const r = await cli([
      "configure",
      "--url",
      "https://contoso.crm.dynamics.com",
      "--endpoint-url",
      `https://tiering.example/api/webhook?code=${KEY}`,
      "--key",
      "another-key-0123456789",
      "--token",
      TOKEN,
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/carries a secret in its query \(code=\)/);
    expect(r.out + r.err).not.toContain(KEY);
    expect(r.out + r.err).not.toContain(TOKEN);
  });

  it("configure: a stray argument (a key typed without its option) is not echoed", async () => {
    const r = await cli(["configure", KEY]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Unexpected argument \(not shown/);
    expect(r.err).not.toContain(KEY);
  });

  it.each([["rerank"], ["replay"], ["configure"]])(
    "%s: plain http:// to a non-loopback host is refused before any request",
    async (command) => {
      const extra = command === "configure" ? ["--endpoint-url", "https://t.example/api/webhook", "--key", "k"] : [];
      const r = await cli([command, "--url", "http://contoso.crm.dynamics.com", "--token", TOKEN, ...extra]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--url http:\/\/contoso\.crm\.dynamics\.com must use https/);
      expect(r.out + r.err).not.toContain(TOKEN);
    },
  );

  it.each([["rerank"], ["replay"], ["configure"]])(
    "%s: a token holding a header-breaking character is refused at start, not echoed",
    async (command) => {
      const bad = `${TOKEN}\r\nX-Injected: 1`;
      const extra = command === "configure" ? ["--endpoint-url", "https://t.example/api/webhook", "--key", "k"] : [];
      const r = await cli([command, "--url", "https://contoso.crm.dynamics.com", "--token", bad, ...extra]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--token holds a character an access token cannot carry \(token not shown\)/);
      expect(r.out + r.err).not.toContain(TOKEN);
    },
  );

  it("--model on a file that is not JSON: the file's contents are never printed", async () => {
    const dir = tempDir("model-");
    const file = join(dir, "shadow");
    writeFileSync(file, "root:$6$saltsalt$hashedpasswordvalue:19000:0:99999:7:::\n");
    const r = await cli(["rank", "--data", dir, "--as-of", "2024-01-01", "--model", file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not valid JSON \(contents not shown\)/);
    expect(r.err).not.toMatch(/root|salt|hashed/);
  });
});

describe("service: token checked at start-up, redacted in the 500 log", () => {
  const base = { CT_WEBHOOK_KEY: "k".repeat(20), DATAVERSE_URL: "https://contoso.crm.dynamics.com" };

  it("DATAVERSE_TOKEN with an invalid header character fails the config, naming the variable only", () => {
    const bad = `${TOKEN}\n`;
    expect(() => readConfig({ ...base, DATAVERSE_TOKEN: bad })).toThrow(ConfigError);
    try {
      readConfig({ ...base, DATAVERSE_TOKEN: bad });
    } catch (e) {
      expect((e as Error).message).toMatch(/^DATAVERSE_TOKEN: holds a character/);
      expect((e as Error).message).not.toContain(TOKEN);
    }
    expect(() => readTimerConfig({ DATAVERSE_URL: "https://contoso.crm.dynamics.com", DATAVERSE_TOKEN: bad })).toThrow(
      /^DATAVERSE_TOKEN: holds a character/,
    );
  });

  it("DATAVERSE_URL over plain http to a non-loopback host is refused", () => {
    expect(() =>
      readConfig({ ...base, DATAVERSE_URL: "http://contoso.crm.dynamics.com", DATAVERSE_TOKEN: "t" }),
    ).toThrow(/^DATAVERSE_URL: must use https/);
    expect(readConfig({ ...base, DATAVERSE_URL: "http://127.0.0.1:5555", DATAVERSE_TOKEN: "t" }).dataverseUrl).toBe(
      "http://127.0.0.1:5555",
    );
  });

  it("an unexpected failure whose message holds the token is logged redacted", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, done) {
        lines.push(c.toString("utf8"));
        done();
      },
    });
    const ACCOUNT = "1d6f7f0e-1111-4a5b-9c0d-000000000099";
    const gateway: DataverseGateway = {
      retrieve: async () => null,
      retrieveAccount: async () => {
        // What undici says about a bad header value: the value, verbatim.
        throw new TypeError(`Headers.append: "Bearer ${TOKEN}\n" is an invalid header value.`);
      },
      fetch: async () => ({ rows: [], moreRecords: false }),
      query: async () => [],
      commit: async () => undefined,
    };
    const body = JSON.stringify(
      context({
        message: "Update",
        entity: "invoice",
        id: ACCOUNT,
        target: entity("invoice", ACCOUNT, {}),
        post: { customerid: ref("account", ACCOUNT) },
      }),
    );
    const r = await handleWebhook(
      {
        method: "POST",
        query: new URLSearchParams({ code: KEY }),
        header: () => undefined,
        readBody: async () => Buffer.from(body),
      },
      {
        webhookKeys: [KEY],
        gateway,
        recalculator: new Recalculator(gateway, new ModelCache(gateway)),
        logger: createLogger("info", sink),
        deadlineMs: 5000,
        secrets: [KEY, TOKEN],
      },
    );
    expect(r.status).toBe(500);
    const text = lines.join("") + JSON.stringify(r.body);
    expect(text).toContain("unexpected failure");
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain("secret-part");
  });

  it("redact: known secrets and secret-shaped text", () => {
    expect(redact(`GET https://x/api?code=${KEY}&a=1`)).toBe("GET https://x/api?code=[redacted]&a=1");
    expect(redact(`Authorization: Bearer ${TOKEN}`)).toBe("Authorization: Bearer [redacted]");
    expect(redact(`token ${TOKEN} failed`, [TOKEN])).toBe("token [redacted] failed");
  });
});

import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readSolutionSource } from "../../solution/scripts/source-model";

/**
 * A strict observer between a client (the plugin service, `tiering rerank`) and the local Dataverse: it forwards every
 * request unchanged and records each way in which the request breaks Dataverse's documented Web API contract,
 * independently of the local Dataverse's own checks (which could share a blind spot with the product).
 *
 * - Headers: https://learn.microsoft.com/power-apps/developer/data-platform/webapi/compose-http-requests-handle-errors#http-headers
 * - Navigation properties are case-sensitive (the solution's ReferencingEntityNavigationPropertyName):
 *   https://learn.microsoft.com/power-apps/developer/data-platform/webapi/associate-disassociate-entities-using-web-api
 * - `$batch` framing: https://learn.microsoft.com/power-apps/developer/data-platform/webapi/execute-batch-operations-using-web-api
 * - UpdateMultiple / CreateMultiple, at most 1,000 targets each with `@odata.type`:
 *   https://learn.microsoft.com/power-apps/developer/data-platform/bulk-operations
 */

/** System navigation properties the product binds, from Microsoft Learn's table reference (task, account). */
const SYSTEM_NAVIGATION: Record<string, string[]> = {
  // https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/task#many-to-one-relationships
  task: ["ownerid", "regardingobjectid_account_task"],
};

const SETS: Record<string, string> = {
  accounts: "account",
  ct_tierhistories: "ct_tierhistory",
  ct_tiermodels: "ct_tiermodel",
  ct_tierpolicies: "ct_tierpolicy",
  tasks: "task",
  invoices: "invoice",
  opportunities: "opportunity",
};

export interface Observed {
  method: string;
  url: string;
}

export class StrictObserver {
  readonly violations: string[] = [];
  readonly seen: Observed[] = [];
  private server: Server | null = null;
  private readonly navigation = new Map<string, Set<string>>();

  constructor(private target: string) {
    for (const r of readSolutionSource().relationships) {
      const set = this.navigation.get(r.referencing) ?? new Set<string>();
      set.add(r.navigation);
      this.navigation.set(r.referencing, set);
    }
    for (const [table, names] of Object.entries(SYSTEM_NAVIGATION)) {
      const set = this.navigation.get(table) ?? new Set<string>();
      for (const n of names) set.add(n);
      this.navigation.set(table, set);
    }
  }

  /** Where the client should send its requests. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        this.seen.push({ method: req.method ?? "", url: req.url ?? "" });
        this.check(req.method ?? "", req.url ?? "", req.headers, body.toString("utf8"));
        const t = new URL(this.target);
        const fwd = httpRequest(
          { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        fwd.on("error", (e) => {
          res.writeHead(502);
          res.end(String(e));
        });
        fwd.end(body);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  retarget(target: string): void {
    this.target = target;
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private fail(where: string, what: string): void {
    this.violations.push(`${where}: ${what}`);
  }

  private check(method: string, url: string, headers: IncomingHttpHeaders, body: string): void {
    const where = `${method} ${url}`;
    if (!url.startsWith("/api/data/v9.2/")) return this.fail(where, "not under the Web API root /api/data/v9.2/");
    if (!/^Bearer \S+$/.test(String(headers.authorization ?? ""))) this.fail(where, "no Bearer token");
    if (headers["odata-version"] !== "4.0") this.fail(where, "OData-Version is not 4.0");
    if (headers["odata-maxversion"] !== "4.0") this.fail(where, "OData-MaxVersion is not 4.0");
    const path = url.slice("/api/data/v9.2/".length);
    if (path.startsWith("$batch")) return this.checkBatch(where, String(headers["content-type"] ?? ""), body);
    if (!/application\/json/.test(String(headers.accept ?? ""))) this.fail(where, "Accept is not application/json");
    if (method === "POST" || method === "PATCH") this.checkBody(where, method, path, body);
  }

  /** A request body of `method path`: JSON, lower-case columns, declared navigation properties, bulk limits. */
  private checkBody(where: string, method: string, path: string, body: string): void {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return this.fail(where, "body is not JSON");
    }
    const set = /^([a-z_]+)/.exec(path)?.[1] ?? "";
    const bulk = /\/Microsoft\.Dynamics\.CRM\.(UpdateMultiple|CreateMultiple)$/.exec(path);
    if (bulk) {
      const targets = json.Targets;
      if (!Array.isArray(targets)) return this.fail(where, `${bulk[1]} without a Targets array`);
      if (targets.length === 0 || targets.length > 1000)
        this.fail(where, `${bulk[1]} with ${targets.length} targets (1 to 1,000)`);
      const table = SETS[set];
      for (const t of targets as Record<string, unknown>[]) {
        if (t["@odata.type"] !== `Microsoft.Dynamics.CRM.${table}`)
          this.fail(
            where,
            `a target's @odata.type is ${JSON.stringify(t["@odata.type"])}, not Microsoft.Dynamics.CRM.${table}`,
          );
        this.checkColumns(where, table, t);
      }
      return;
    }
    if (method === "PATCH" && !/\([0-9a-f-]{36}\)$/.test(path))
      this.fail(where, "PATCH not addressed to one row by id");
    this.checkColumns(where, SETS[set], json);
  }

  private checkColumns(where: string, table: string | undefined, row: Record<string, unknown>): void {
    if (!table) return this.fail(where, "a write to a table the product has no business writing");
    for (const key of Object.keys(row)) {
      const bind = /^(.+)@odata\.bind$/.exec(key);
      if (bind) {
        if (!this.navigation.get(table)?.has(bind[1]))
          this.fail(where, `${key}: ${bind[1]} is not a navigation property of ${table} (names are case-sensitive)`);
        if (!/^\/[a-z_]+\([0-9a-f-]{36}\)$/.test(String(row[key]))) this.fail(where, `${key}: not /<set>(<id>)`);
        continue;
      }
      if (key.startsWith("@odata.")) continue;
      if (!/^[a-z][a-z0-9_]*$/.test(key)) this.fail(where, `${key}: not a logical (lower-case) column name`);
    }
  }

  /** multipart/mixed with a boundary; each part application/http, binary, a request line; change sets nested. */
  private checkBatch(where: string, contentType: string, body: string): void {
    const boundary = /^multipart\/mixed;\s*boundary=([^\s;]+)$/.exec(contentType)?.[1];
    if (!boundary)
      return this.fail(where, `Content-Type ${JSON.stringify(contentType)} is not multipart/mixed with a boundary`);
    if (!body.includes(`--${boundary}--`)) this.fail(where, "no closing boundary");
    const parts = body.split(`--${boundary}`).slice(1, -1);
    if (parts.length === 0) this.fail(where, "no parts");
    for (const part of parts) {
      const changeset = /Content-Type:\s*multipart\/mixed;\s*boundary=([^\s;]+)/i.exec(part)?.[1];
      if (changeset) {
        const inner = part.split(`--${changeset}`).slice(1, -1);
        if (!part.includes(`--${changeset}--`)) this.fail(where, "a change set without its closing boundary");
        inner.forEach((p, i) => {
          this.checkPart(where, p);
          if (!/^Content-ID:\s*\S+/im.test(p)) this.fail(where, `change set part ${i + 1} has no Content-ID`);
          if (/^GET /m.test(p)) this.fail(where, "a GET inside a change set");
        });
      } else this.checkPart(where, part);
    }
  }

  private checkPart(where: string, part: string): void {
    if (!/^Content-Type:\s*application\/http\s*$/im.test(part))
      this.fail(where, "a part without Content-Type: application/http");
    if (!/^Content-Transfer-Encoding:\s*binary\s*$/im.test(part))
      this.fail(where, "a part without Content-Transfer-Encoding: binary");
    const line = /^(GET|POST|PATCH|PUT|DELETE) (\S+) HTTP\/1\.1\s*$/m.exec(part);
    if (!line) return this.fail(where, "a part without a request line");
    const [, method, target] = line;
    const rel = target.replace(/^https?:\/\/[^/]+/, "").replace(/^\/api\/data\/v9\.2\//, "");
    if (method === "POST" || method === "PATCH") {
      const after = part.slice(line.index);
      const json = after.slice(after.indexOf("{"), after.lastIndexOf("}") + 1);
      this.checkBody(`${where} › ${method} ${rel}`, method, rel, json);
    }
  }
}

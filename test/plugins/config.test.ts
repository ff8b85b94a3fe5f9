import { ConfigError, readConfig } from "../../plugins/config";

const base = { CT_WEBHOOK_KEY: "k".repeat(20), DATAVERSE_URL: "https://contoso.crm.dynamics.com/" };

describe("configuration from the environment", () => {
  it("a fixed token (sandbox), default port 7071 and a 45 s deadline", () => {
    expect(readConfig({ ...base, DATAVERSE_TOKEN: "t" })).toMatchObject({
      port: 7071,
      webhookKeys: [base.CT_WEBHOOK_KEY],
      dataverseUrl: "https://contoso.crm.dynamics.com",
      auth: { kind: "token" },
      deadlineMs: 45_000,
    });
  });

  it("a client secret set up wins over a token (auto chain, secret last); a next key is accepted during rotation", () => {
    const c = readConfig({
      ...base,
      PORT: "8080",
      DATAVERSE_TENANT_ID: "t",
      DATAVERSE_CLIENT_ID: "c",
      DATAVERSE_CLIENT_SECRET: "s",
      DATAVERSE_TOKEN: "x",
      CT_WEBHOOK_KEY_NEXT: "n".repeat(20),
    });
    expect(c.port).toBe(8080);
    expect(c.auth).toMatchObject({ kind: "identity", method: "auto", tenantId: "t", clientId: "c", clientSecret: "s" });
    expect(c.webhookKeys).toHaveLength(2);
  });

  it("no sign-in settings at all: the managed identity", () => {
    expect(readConfig({ ...base }).auth).toMatchObject({ kind: "identity", method: "auto" });
  });

  it.each([
    [{ DATAVERSE_URL: base.DATAVERSE_URL, DATAVERSE_TOKEN: "t" }, "CT_WEBHOOK_KEY: is required"],
    [{ ...base, CT_WEBHOOK_KEY: "short", DATAVERSE_TOKEN: "t" }, "CT_WEBHOOK_KEY: must be at least 16 characters"],
    [{ ...base, DATAVERSE_URL: "contoso", DATAVERSE_TOKEN: "t" }, "DATAVERSE_URL: must be an http(s) URL"],
    [{ ...base, DATAVERSE_AUTH: "client-secret" }, "DATAVERSE_TENANT_ID: is required for DATAVERSE_AUTH=client-secret"],
    [{ ...base, DATAVERSE_TOKEN: "t", CT_DEADLINE_MS: "70000" }, "CT_DEADLINE_MS"],
  ])("names what is wrong, never a value (%#)", (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });
});

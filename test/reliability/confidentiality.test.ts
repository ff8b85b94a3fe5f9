import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * Tier confidentiality in the solution (issue 8): customers must never see their tier. Inside Dataverse, the tier
 * columns are secured (column-level security) and only the solution's field security profiles read them; nothing
 * in the solution exposes them to external (Power Pages / portal) users: no table permission, web role, portal list
 * or form, or Web API site setting names them.
 * https://learn.microsoft.com/power-platform/admin/field-level-security
 * https://learn.microsoft.com/power-pages/security/table-permissions
 * https://learn.microsoft.com/power-pages/configure/web-api-overview#site-settings-for-the-web-api
 */
const SRC = join(__dirname, "../../solution/src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

interface Column {
  table: string;
  logicalName: string;
  type: string;
  optionSet: string | null;
  secured: boolean;
}

function columns(): Column[] {
  const out: Column[] = [];
  for (const entityDir of readdirSync(join(SRC, "Entities"))) {
    const xml = readFileSync(join(SRC, "Entities", entityDir, "Entity.xml"), "utf8");
    const table = /<entity Name="([^"]+)"/.exec(xml)![1].toLowerCase();
    for (const m of xml.matchAll(/<attribute PhysicalName="[^"]+">([\s\S]*?)<\/attribute>/g)) {
      const body = m[1];
      out.push({
        table,
        logicalName: /<LogicalName>([^<]+)<\/LogicalName>/.exec(body)![1],
        type: /<Type>([^<]+)<\/Type>/.exec(body)![1],
        optionSet: /<OptionSetName>([^<]+)<\/OptionSetName>/.exec(body)?.[1] ?? null,
        secured: /<IsSecured>1<\/IsSecured>/.test(body),
      });
    }
  }
  return out;
}

/** What gives a tier away: any column holding a tier, the score, reason, trend and revenue behind it, and the tier's touch cadence. */
const TIER_DERIVED = new Set([
  "ct_cadencedays",
  "ct_touchchannel",
  "ct_nexttouchdue",
  "ct_tierscore",
  "ct_tierreason",
  "ct_trend",
  "ct_trenddelta",
  "ct_revenue12m",
  "ct_tieroverridereason",
  "ct_tieroverrideuntil",
  "ct_score",
  "ct_reason",
]);
const isTierColumn = (c: Column): boolean =>
  c.table !== "ct_tierpolicy" && (c.optionSet === "ct_tier" || TIER_DERIVED.has(c.logicalName));

/** Solution components that reach portal users (Power Pages, classic adx_ and enhanced mspp_ data models). */
const PORTAL_MARKERS = [
  /adx_entitypermission/i,
  /mspp_entitypermission/i,
  /adx_webrole/i,
  /mspp_webrole/i,
  /powerpagecomponent/i,
  /adx_entitylist/i,
  /adx_entityform/i,
  /mspp_entitylist/i,
  /mspp_entityform/i,
  /Webapi\/[a-z_]+\/fields/i,
  /adx_sitesetting/i,
  /mspp_sitesetting/i,
];

/** The tier columns a portal component names, if it is one. */
function portalLeaks(text: string, tierColumns: string[]): string[] {
  if (!PORTAL_MARKERS.some((m) => m.test(text))) return [];
  return tierColumns.filter(
    (c) => new RegExp(`\\b${c}\\b`, "i").test(text) || /Webapi\/account\/fields"?\s*[^<]*\*/i.test(text),
  );
}

describe("tier confidentiality in the solution", () => {
  const all = columns();
  const tierColumns = all.filter(isTierColumn);

  it("finds the tier columns on account and ct_tierhistory", () => {
    expect(tierColumns.map((c) => `${c.table}.${c.logicalName}`)).toEqual(
      expect.arrayContaining([
        "account.ct_tier",
        "account.ct_computedtier",
        "account.ct_previoustier",
        "account.ct_tieroverride",
        "account.ct_tierscore",
        "account.ct_tierreason",
        "ct_tierhistory.ct_fromtier",
        "ct_tierhistory.ct_totier",
      ]),
    );
  });

  it("every tier column is secured (IsSecured)", () => {
    expect(tierColumns.filter((c) => !c.secured).map((c) => `${c.table}.${c.logicalName}`)).toEqual([]);
  });

  it("every tier column is readable through the readers profile and written only through the writers profile", () => {
    const xml = readFileSync(join(SRC, "Other", "FieldSecurityProfiles.xml"), "utf8");
    const profiles = [...xml.matchAll(/<FieldSecurityProfile name="([^"]+)"[\s\S]*?<\/FieldSecurityProfile>/g)].map(
      (m) => ({
        name: m[1],
        permissions: [...m[0].matchAll(/<FieldPermission>([\s\S]*?)<\/FieldPermission>/g)].map((p) => ({
          column: `${/<EntityName>([^<]+)/.exec(p[1])![1]}.${/<AttributeName>([^<]+)/.exec(p[1])![1]}`,
          read: /<CanRead>4<\/CanRead>/.test(p[1]),
          write: /<CanUpdate>4<\/CanUpdate>/.test(p[1]) || /<CanCreate>4<\/CanCreate>/.test(p[1]),
        })),
      }),
    );
    const readers = profiles.find((p) => p.name === "Customer tier readers")!;
    const writers = profiles.find((p) => p.name === "Customer tier writers")!;
    for (const c of tierColumns) {
      const key = `${c.table}.${c.logicalName}`;
      expect({ key, read: readers.permissions.find((p) => p.column === key)?.read }).toEqual({ key, read: true });
      expect({ key, write: readers.permissions.find((p) => p.column === key)?.write ?? false }).toEqual({
        key,
        write: false,
      });
      expect({ key, read: writers.permissions.find((p) => p.column === key)?.read }).toEqual({ key, read: true });
    }
    // Every secured column is governed by a profile; a secured column nobody may read would be a silent loss.
    for (const c of all.filter((x) => x.secured))
      expect(readers.permissions.map((p) => p.column)).toContain(`${c.table}.${c.logicalName}`);
  });

  it("nothing in the solution exposes a tier column to portal (external) users", () => {
    const names = tierColumns.map((c) => c.logicalName);
    const leaks = files(SRC).flatMap((f) =>
      portalLeaks(readFileSync(f, "utf8"), names).map((c) => `${relative(SRC, f)}: ${c}`),
    );
    expect(leaks).toEqual([]);
  });

  it("the portal check would catch a table permission or Web API setting naming a tier column", () => {
    const names = tierColumns.map((c) => c.logicalName);
    expect(
      portalLeaks(
        "<adx_entitypermission><adx_entitylogicalname>account</adx_entitylogicalname><adx_columns>name,ct_tier</adx_columns></adx_entitypermission>",
        names,
      ),
    ).toEqual(["ct_tier"]);
    expect(portalLeaks('<mspp_sitesetting name="Webapi/account/fields" value="*" />', names).length).toBeGreaterThan(0);
    expect(portalLeaks('<savedquery><attribute name="ct_tier" /></savedquery>', names)).toEqual([]);
  });
});

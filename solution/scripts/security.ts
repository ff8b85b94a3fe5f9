import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { solutionVersion } from "./pack";
import { defaultSolutionSrcDir, repoRoot } from "./source-dir";
import { attr, children, normalizeGuid, readXml, text } from "./xml";

/**
 * What an environment with the solution imported holds besides tables: the solution's unique name and version, its
 * security roles and field security profiles. `tiering doctor` compares an environment with these; the local
 * Dataverse loads them at start.
 */
export interface SolutionIdentity {
  uniqueName: string;
  version: string;
}

export interface SolutionRole {
  id: string;
  name: string;
  privileges: { name: string; level: string }[];
}

export interface SolutionProfile {
  id: string;
  name: string;
}

/** The role the service's application user needs, and its field security profile (docs/deploy.md). */
export const SERVICE_ROLE = "Customer Tiering service";
export const SERVICE_FIELD_PROFILE = "Customer tier writers";

/** The unique name of Other/Solution.xml, and the version `npm run pack` gives the zip (package.json's, x.y.z.0). */
export function readSolutionIdentity(dir: string = defaultSolutionSrcDir()): SolutionIdentity {
  const file = join(dir, "Other", "Solution.xml");
  const manifest = children(readXml(file)["ImportExportXml"], "SolutionManifest")[0];
  const uniqueName = text(manifest, "UniqueName");
  if (!uniqueName) throw new Error(`${file}: <UniqueName> is required`);
  const pkg = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as { version: string };
  return { uniqueName, version: solutionVersion(pkg.version) };
}

export function readSolutionRoles(dir: string = defaultSolutionSrcDir()): SolutionRole[] {
  const rolesDir = join(dir, "Roles");
  if (!existsSync(rolesDir)) return [];
  return readdirSync(rolesDir)
    .filter((f) => f.toLowerCase().endsWith(".xml"))
    .sort()
    .map((f) => {
      const role = readXml(join(rolesDir, f))["Role"];
      if (role === undefined || typeof role === "string" || Array.isArray(role))
        throw new Error(`${join(rolesDir, f)}: the root element is not <Role>`);
      return {
        id: normalizeGuid(attr(role, "id")),
        name: attr(role, "name"),
        privileges: children(children(role, "RolePrivileges")[0], "RolePrivilege").map((p) => ({
          name: attr(p, "name"),
          level: attr(p, "level"),
        })),
      };
    });
}

export function readSolutionProfiles(dir: string = defaultSolutionSrcDir()): SolutionProfile[] {
  const file = join(dir, "Other", "FieldSecurityProfiles.xml");
  if (!existsSync(file)) return [];
  return children(readXml(file)["FieldSecurityProfiles"], "FieldSecurityProfile").map((p) => ({
    id: normalizeGuid(attr(p, "fieldsecurityprofileid")),
    name: attr(p, "name"),
  }));
}

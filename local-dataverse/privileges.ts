/**
 * RetrieveUserPrivileges: the privileges a user holds through their roles (teams' roles are not modelled here), each at
 * the deepest level any of the roles grants it.
 * https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/retrieveuserprivileges
 */
import { notFound } from "./errors";
import type { Store } from "./store";

const DEPTHS: [number, string][] = [
  [8, "Global"],
  [4, "Deep"],
  [2, "Local"],
  [1, "Basic"],
];

export function retrieveUserPrivileges(
  store: Store,
  userId: string,
  businessUnitId: string,
): Record<string, unknown>[] {
  if (!store.get("systemuser", userId)) throw notFound("systemuser", userId);
  const roles = new Set(
    [...store.rows("systemuserroles")].filter((r) => r.systemuserid === userId).map((r) => String(r.roleid)),
  );
  const masks = new Map<string, number>();
  for (const rp of store.rows("roleprivileges")) {
    if (!roles.has(String(rp.roleid))) continue;
    const id = String(rp.privilegeid);
    masks.set(id, (masks.get(id) ?? 0) | Number(rp.privilegedepthmask ?? 0));
  }
  return [...masks].map(([id, mask]) => ({
    Depth: DEPTHS.find(([bit]) => (mask & bit) !== 0)?.[1] ?? "Basic",
    PrivilegeId: id,
    BusinessUnitId: businessUnitId,
    PrivilegeName: store.get("privilege", id)?.name ?? null,
  }));
}

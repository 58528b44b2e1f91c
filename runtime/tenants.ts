// A tenant is the name of an API key (several keys may share one during a rotation). Documents
// and results are stored once per content for everyone, so a document two clients send costs one
// Textract call; what a tenant may see is recorded beside them (tenant_documents, tenant_results)
// and jobs carry their owner. Another tenant's ids answer 404, as if they did not exist.

export interface Tenant {
  name: string;
  /** Sees every tenant's jobs and documents (ADMIN_TENANTS). */
  admin: boolean;
}

/**
 * Without API keys there is one tenant, everyone, who sees everything as before tenants existed;
 * what it makes is stored under no name (NULL), so it never mixes with a named tenant's rows.
 */
export const ANONYMOUS: Tenant = Object.freeze({ name: 'anonymous', admin: true });

/** A request without a valid key on a route that needs none (GET /health, /docs): sees nothing. */
export const UNAUTHENTICATED: Tenant = Object.freeze({ name: '(unauthenticated)', admin: false });

/** Names are what logs and the database show: no separators, no room for a key's text. */
export const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The owner recorded on what a tenant makes; null for the anonymous tenant. */
export function ownerOf(tenant: Tenant): string | null {
  return tenant === ANONYMOUS ? null : tenant.name;
}

/** Whose rows a tenant may read: null means everyone's (admins, and the anonymous tenant). */
export function scopeOf(tenant: Tenant): string | null {
  return tenant.admin ? null : tenant.name;
}

/** The tenant a queued job runs as, from its row's owner. */
export function tenantOf(owner: string | null, adminTenants: readonly string[]): Tenant {
  return owner === null ? ANONYMOUS : { name: owner, admin: adminTenants.includes(owner) };
}
